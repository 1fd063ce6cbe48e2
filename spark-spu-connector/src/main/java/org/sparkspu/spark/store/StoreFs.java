package org.sparkspu.spark.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Hadoop file system behind a store path (local, HDFS, S3A, ... whatever the classpath's Hadoop
 * configuration provides). Local paths use the raw local file system: the store has its own
 * digests, so Hadoop's .crc side files would only add work.
 */
final class StoreFs {
  private StoreFs() {}

  static FileSystem of(Path p) {
    try {
      FileSystem fs = p.getFileSystem(new Configuration());
      return fs instanceof LocalFileSystem l ? l.getRaw() : fs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of the share store at " + p, e);
    }
  }

  static Path partyDir(String root, int party) {
    return new Path(new Path(root), ShareFileFormat.partyDirName(party));
  }
}

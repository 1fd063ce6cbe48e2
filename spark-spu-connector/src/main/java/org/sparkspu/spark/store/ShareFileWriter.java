package org.sparkspu.spark.store;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one party's share file of one segment (see {@link ShareFileFormat}). The row count goes
 * into the header, which is known only at the end, so blocks are spilled to a local temporary file
 * (or kept in memory while small) and the final file is written in one pass at {@link #finish}.
 * Memory: one block.
 */
final class ShareFileWriter implements AutoCloseable {
  private static final int IN_MEMORY_LIMIT = 8 << 20;

  private final Path target;
  private final ShareFileFormat.Header template;
  private final ByteArrayOutputStream blockHeaders = new ByteArrayOutputStream();
  private ByteArrayOutputStream memory = new ByteArrayOutputStream();
  private java.nio.file.Path spill;
  private OutputStream spillOut;
  private long rows;
  private byte[] scratch = new byte[0];

  /** {@code template}: the header with rows 0 (the real count is filled in at the end). */
  ShareFileWriter(Path target, ShareFileFormat.Header template) {
    this.target = target;
    this.template = template;
  }

  /**
   * Appends one block: {@code tensors[t][part]} holds the first {@code n} values of tensor t's part
   * (tensors in header order: each column's values, then its validity where present).
   */
  void append(int n, List<long[][]> tensors) {
    if (n == 0) return;
    try {
      ByteBuffer head = ByteBuffer.allocate(4 + ShareFileFormat.DIGEST_BYTES * tensors.size());
      head.putInt(n);
      MessageDigest md = ShareFileFormat.sha256();
      int chunkBytes = n * 8 * template.parts();
      int total = chunkBytes * tensors.size();
      if (scratch.length < total) scratch = new byte[total];
      ByteBuffer seq = ByteBuffer.wrap(scratch, 0, total).order(ByteOrder.LITTLE_ENDIAN);
      for (int t = 0; t < tensors.size(); t++) {
        int start = seq.position();
        for (long[] part : tensors.get(t)) {
          seq.asLongBuffer().put(part, 0, n); // a view starts at the buffer's position
          seq.position(seq.position() + n * 8);
        }
        md.reset();
        md.update(scratch, start, chunkBytes);
        head.put(md.digest());
      }
      byte[] h = head.array();
      blockHeaders.write(h);
      OutputStream out = sink(h.length + total);
      out.write(h);
      out.write(scratch, 0, total);
      rows += n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write shares for " + target, e);
    }
  }

  private OutputStream sink(int upcoming) throws IOException {
    if (spillOut != null) return spillOut;
    if (memory.size() + upcoming <= IN_MEMORY_LIMIT) return memory;
    spill = Files.createTempFile("spu-shares-", ".spill");
    spillOut = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 20);
    memory.writeTo(spillOut);
    memory = null;
    return spillOut;
  }

  long rows() {
    return rows;
  }

  /** Writes the final file; returns its SHA-256 (hex), which the metadata records. */
  String finish(FileSystem fs) {
    ShareFileFormat.Header h = new ShareFileFormat.Header(template.version(), template.protocol(), template.parties(),
        template.party(), template.owner(), template.tableId(), template.segment(), template.group(), template.parts(),
        template.columns(), template.hasValidity(), rows);
    byte[] header = h.encode();
    MessageDigest file = ShareFileFormat.sha256();
    file.update(header);
    file.update(blockHeaders.toByteArray());
    byte[] end = ByteBuffer.allocate(4).putInt(-1).array();
    file.update(end);
    byte[] digest = file.digest();
    try (OutputStream out = fs.create(target, true)) {
      out.write(header);
      if (spillOut != null) {
        spillOut.close();
        spillOut = null;
        try (InputStream in = Files.newInputStream(spill)) {
          in.transferTo(out);
        }
      } else {
        memory.writeTo(out);
      }
      out.write(end);
      out.write(digest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write share file " + target, e);
    } finally {
      close();
    }
    return ShareFileFormat.hex(digest);
  }

  @Override
  public void close() {
    try {
      if (spillOut != null) spillOut.close();
      if (spill != null) Files.deleteIfExists(spill);
    } catch (IOException ignored) {
      // a temporary file left behind holds one party's shares only; the OS temp cleaner removes it
    } finally {
      spillOut = null;
      spill = null;
      memory = null;
    }
  }
}

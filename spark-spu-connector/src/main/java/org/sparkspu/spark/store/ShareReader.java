package org.sparkspu.spark.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;

/**
 * Party k's reader of its own share folder: its files in canonical (row) order, each checked for
 * its binding (party k, the table id, protocol, parties, owner, segment and group, columns and rows
 * as the metadata says) and its integrity (SHA-256 of every chunk read, of the header and block
 * headers, and the file digest the metadata records), yielding batches of at most
 * {@code batchRows} rows as this party's Shares of the requested columns. Streaming: memory is one
 * block per open file plus the batch being built. Only the requested columns' chunks are read and
 * hashed; the others are skipped (and so not verified: they do not reach the query).
 *
 * <p>Errors are {@link StoreIntegrityException}s naming the file and the party, never a value. A
 * damaged chunk is detected before its block is handed out; a damaged header or block header at
 * the latest when its file ends (before the next file's rows), so a query that reveals only after
 * its last batch never reveals anything computed from a changed file.
 *
 * <p>A segment with several column groups (a vertical table) is read in lockstep: each group's file
 * supplies its own columns for the same rows.
 */
public final class ShareReader implements Iterator<ShareBatch>, AutoCloseable {
  private final String root;
  private final int party;
  private final StoreMetadata meta;
  private final List<String> columns;
  private final boolean[] tableNullable;
  private final int batchRows;
  private final boolean pad;
  private final int parts;
  private final FileSystem fs;
  private int segment = -1;
  private long segmentLeft;
  private List<GroupStream> open = List.of();
  private long nextRow;

  /**
   * @param meta this party's metadata (from {@link StoreMetadata#read}); the folder listing is
   *     checked against it here
   * @param columns the columns to read (each batch has their values, and validity where nullable)
   * @param pad whether every batch has {@code batchRows} elements (zero shares after its rows)
   */
  public ShareReader(String root, int party, StoreMetadata meta, List<String> columns, int batchRows, boolean pad) {
    if (meta.party() != party) {
      throw new StoreIntegrityException(party, ShareFileFormat.partyDirName(party), "metadata of party " + meta.party()
          + " given to party " + party + "'s reader");
    }
    if (batchRows < 1) throw new IllegalArgumentException("batch rows must be >= 1");
    this.root = root;
    this.party = party;
    this.meta = meta;
    this.columns = List.copyOf(columns);
    this.tableNullable = new boolean[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      SecretColumn c = meta.column(columns.get(i));
      if (c == null) throw new IllegalArgumentException("column '" + columns.get(i) + "' is not in the share store");
      if (!c.encoding().hasRingValues()) throw new IllegalArgumentException("column '" + c.name() + "' has no ring values");
      tableNullable[i] = c.nullable();
    }
    this.batchRows = batchRows;
    this.pad = pad;
    this.parts = ShareFileFormat.partsPerShare(meta.protocol());
    Path dir = StoreFs.partyDir(root, party);
    this.fs = StoreFs.of(dir);
    checkListing(dir);
  }

  /** Reads party k's metadata and opens its reader. */
  public static ShareReader open(String root, int party, List<String> columns, int batchRows, boolean pad) {
    StoreMetadata m = StoreMetadata.read(root, party);
    if (m == null) {
      throw new StoreIntegrityException(party, ShareFileFormat.partyDirName(party), "party " + party + " has no share store at "
          + StoreFs.partyDir(root, party));
    }
    return new ShareReader(root, party, m, columns, batchRows, pad);
  }

  public StoreMetadata metadata() {
    return meta;
  }

  private String rel(String file) {
    return ShareFileFormat.partyDirName(party) + "/" + file;
  }

  /** Every file the metadata names exists, and the folder holds no other share file. */
  private void checkListing(Path dir) {
    TreeSet<String> expected = new TreeSet<>();
    for (StoreMetadata.Segment s : meta.segments()) for (StoreMetadata.Group g : s.groups()) expected.add(g.file());
    TreeSet<String> found = new TreeSet<>();
    try {
      if (fs.exists(dir)) {
        for (FileStatus st : fs.listStatus(dir)) {
          String n = st.getPath().getName();
          if (ShareFileFormat.isShareFile(n)) found.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list party " + party + "'s share folder", e);
    }
    for (String f : expected) {
      if (!found.contains(f)) {
        throw new StoreIntegrityException(party, rel(f), "share file " + rel(f) + " of party " + party + " is missing");
      }
    }
    for (String f : found) {
      if (!expected.contains(f)) {
        throw new StoreIntegrityException(party, rel(f), "share file " + rel(f) + " of party " + party
            + " is not in the party's metadata (a file from another write or another table)");
      }
    }
  }

  @Override
  public boolean hasNext() {
    while (segmentLeft == 0) {
      closeSegment();
      if (segment + 1 >= meta.segments().size()) return false;
      openSegment(++segment);
    }
    return true;
  }

  @Override
  public ShareBatch next() {
    if (!hasNext()) throw new NoSuchElementException();
    long remaining = meta.totalRows() - nextRow;
    int rows = (int) Math.min(batchRows, remaining);
    int cap = pad ? batchRows : rows;
    long[][][] vals = new long[columns.size()][parts][cap];
    long[][][] valid = new long[columns.size()][][];
    for (int c = 0; c < columns.size(); c++) if (tableNullable[c]) valid[c] = new long[parts][cap];
    int fill = 0;
    while (fill < rows) {
      if (!hasNext()) throw new IllegalStateException("party " + party + "'s share store ended early");
      int take = (int) Math.min(rows - fill, segmentLeft);
      for (GroupStream g : open) g.read(take, vals, valid, fill);
      fill += take;
      segmentLeft -= take;
      if (segmentLeft == 0) closeSegment();
    }
    Map<String, Share> v = new LinkedHashMap<>();
    Map<String, Share> n = new LinkedHashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      v.put(columns.get(c), share(vals[c]));
      if (valid[c] != null) n.put(columns.get(c), share(valid[c]));
    }
    ShareBatch b = new ShareBatch(nextRow, rows, cap, v, n);
    nextRow += rows;
    return b;
  }

  private static Share share(long[][] parts) {
    RingTensor[] t = new RingTensor[parts.length];
    for (int i = 0; i < parts.length; i++) t[i] = RingTensor.vector(parts[i]);
    return new Share(Share.Kind.ARITH, t);
  }

  private void openSegment(int s) {
    StoreMetadata.Segment seg = meta.segments().get(s);
    List<GroupStream> streams = new ArrayList<>();
    boolean[] covered = new boolean[columns.size()];
    for (int g = 0; g < seg.groups().size(); g++) {
      StoreMetadata.Group grp = seg.groups().get(g);
      boolean needed = false;
      for (String c : grp.columns()) needed |= columns.contains(c);
      if (!needed) continue;
      streams.add(new GroupStream(seg, g, grp, covered));
    }
    for (int c = 0; c < columns.size(); c++) {
      if (!covered[c] && seg.rows() > 0) {
        throw new StoreIntegrityException(party, ShareFileFormat.partyDirName(party), "segment " + seg.id() + " of party " + party
            + " has no file with column '" + columns.get(c) + "'");
      }
    }
    open = streams;
    segmentLeft = seg.rows();
  }

  private void closeSegment() {
    for (GroupStream g : open) g.finish();
    open = List.of();
  }

  @Override
  public void close() {
    for (GroupStream g : open) g.closeQuietly();
    open = List.of();
    segment = meta.segments().size();
    segmentLeft = 0;
  }

  /** One file: header checks, then blocks on demand, then the end check. */
  private final class GroupStream {
    private final String file;
    private final String sha256;
    private final FSDataInputStream in;
    private final MessageDigest fileDigest = ShareFileFormat.sha256();
    private final MessageDigest chunkDigest = ShareFileFormat.sha256();
    private final ShareFileFormat.Header header;
    /** For each batch column this file supplies: its tensor index in a block, and its validity's (-1: none). */
    private final int[] batchColumn;
    private final int[] valuesTensor;
    private final int[] validityTensor;
    private final boolean[] tensorNeeded;
    private long[][][] block; // [tensor][part][row], needed tensors only
    private int blockRows;
    private int blockPos;
    private long rowsRead;
    private byte[] buf = new byte[0];
    private boolean finished;

    GroupStream(StoreMetadata.Segment seg, int g, StoreMetadata.Group grp, boolean[] covered) {
      this.file = rel(grp.file());
      this.sha256 = grp.sha256();
      Path p = new Path(StoreFs.partyDir(root, party), grp.file());
      try {
        this.in = fs.open(p, 1 << 16);
      } catch (IOException e) {
        throw new StoreIntegrityException(party, file, "share file " + file + " of party " + party + " cannot be opened");
      }
      try {
        byte[] magic = new byte[ShareFileFormat.MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, ShareFileFormat.MAGIC)) throw bad("is not a share file (bad magic)");
        int len = in.readInt();
        if (len < 0 || len > (1 << 24)) throw bad("has a damaged header");
        byte[] body = new byte[len];
        in.readFully(body);
        fileDigest.update(magic);
        fileDigest.update(ByteBuffer.allocate(4).putInt(len).array());
        fileDigest.update(body);
        ShareFileFormat.Header h = ShareFileFormat.Header.decode(body);
        if (h == null) throw bad("has a damaged header");
        this.header = h;
      } catch (IOException e) {
        closeQuietly();
        throw bad("is truncated or unreadable");
      } catch (RuntimeException e) {
        closeQuietly();
        throw e;
      }
      checkBinding(seg, g, grp);
      List<String> fileCols = header.columns();
      int n = fileCols.size();
      int[] vt = new int[n], nt = new int[n];
      int t = 0;
      for (int i = 0; i < n; i++) {
        vt[i] = t++;
        nt[i] = header.hasValidity()[i] ? t++ : -1;
      }
      tensorNeeded = new boolean[t];
      batchColumn = new int[n];
      valuesTensor = vt;
      validityTensor = nt;
      for (int i = 0; i < n; i++) {
        int c = columns.indexOf(fileCols.get(i));
        batchColumn[i] = c;
        if (c < 0) continue;
        covered[c] = true;
        tensorNeeded[vt[i]] = true;
        if (nt[i] >= 0 && tableNullable[c]) tensorNeeded[nt[i]] = true;
      }
    }

    private StoreIntegrityException bad(String what) {
      return new StoreIntegrityException(party, file, "share file " + file + " of party " + party + " " + what);
    }

    private void checkBinding(StoreMetadata.Segment seg, int g, StoreMetadata.Group grp) {
      ShareFileFormat.Header h = header;
      if (h.version() != ShareFileFormat.VERSION) throw fail("has format version " + h.version() + ", this reader reads " + ShareFileFormat.VERSION);
      if (h.party() != party) {
        throw fail("is bound to party " + h.party() + ", but party " + party + " is reading it (a share file copied into another"
            + " party's folder)");
      }
      if (!h.tableId().equals(meta.tableId())) throw fail("belongs to another table (table id differs from the metadata's)");
      if (!h.protocol().equals(meta.protocol()) || h.parties() != meta.parties()) {
        throw fail("holds " + h.protocol() + " shares for " + h.parties() + " parties, the store is " + meta.protocol() + " for "
            + meta.parties());
      }
      if (h.parts() != parts) throw fail("holds " + h.parts() + " parts per share, " + meta.protocol() + " needs " + parts);
      if (h.segment() != seg.id() || h.group() != g) {
        throw fail("is segment " + h.segment() + " group " + h.group() + ", the metadata lists it as segment " + seg.id() + " group " + g);
      }
      if (h.owner() != grp.owner()) throw fail("was written by party " + h.owner() + ", the metadata says party " + grp.owner());
      if (!h.columns().equals(grp.columns())) throw fail("holds columns " + h.columns() + ", the metadata says " + grp.columns());
      if (h.rows() != seg.rows()) throw fail("holds " + h.rows() + " rows, the metadata says " + seg.rows());
      for (int i = 0; i < h.columns().size(); i++) {
        SecretColumn c = meta.column(h.columns().get(i));
        if (c == null) throw fail("holds column '" + h.columns().get(i) + "', which the schema lacks");
        if (h.hasValidity()[i] && !c.nullable()) throw fail("has a validity tensor for NOT NULL column '" + c.name() + "'");
      }
    }

    private StoreIntegrityException fail(String what) {
      closeQuietly();
      return bad(what);
    }

    private void ensureBuf(int n) {
      if (buf.length < n) buf = new byte[n];
    }

    private void loadBlock() throws IOException {
      int rows = in.readInt();
      fileDigest.update(ByteBuffer.allocate(4).putInt(rows).array());
      if (rows <= 0 || rowsRead + rows > header.rows()) throw fail("has a damaged block header");
      int tensors = tensorNeeded.length;
      byte[] digests = new byte[ShareFileFormat.DIGEST_BYTES * tensors];
      in.readFully(digests);
      fileDigest.update(digests);
      int chunk = rows * 8 * parts;
      if (block == null) block = new long[tensors][][];
      ensureBuf(chunk);
      for (int t = 0; t < tensors; t++) {
        if (!tensorNeeded[t]) {
          skip(chunk);
          continue;
        }
        in.readFully(buf, 0, chunk);
        chunkDigest.reset();
        chunkDigest.update(buf, 0, chunk);
        byte[] d = chunkDigest.digest();
        if (!MessageDigest.isEqual(d, Arrays.copyOfRange(digests, t * ShareFileFormat.DIGEST_BYTES, (t + 1) * ShareFileFormat.DIGEST_BYTES))) {
          throw fail("is damaged or was changed: the SHA-256 of a data chunk (block at row " + rowsRead + ") does not match");
        }
        if (block[t] == null || block[t][0].length < rows) block[t] = new long[parts][Math.max(rows, 1)];
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, chunk).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < parts; p++) {
          bb.asLongBuffer().get(block[t][p], 0, rows);
          bb.position(bb.position() + rows * 8);
        }
      }
      blockRows = rows;
      blockPos = 0;
      rowsRead += rows;
    }

    private void skip(long n) throws IOException {
      long target = in.getPos() + n;
      in.seek(target);
      if (in.getPos() != target) throw new EOFException();
    }

    /** Copies the next {@code n} rows of this file's requested columns into the batch at {@code off}. */
    void read(int n, long[][][] vals, long[][][] valid, int off) {
      try {
        while (n > 0) {
          if (blockPos == blockRows) loadBlock();
          int k = Math.min(n, blockRows - blockPos);
          for (int i = 0; i < batchColumn.length; i++) {
            int c = batchColumn[i];
            if (c < 0) continue;
            for (int p = 0; p < parts; p++) System.arraycopy(block[valuesTensor[i]][p], blockPos, vals[c][p], off, k);
            if (valid[c] == null) continue;
            if (validityTensor[i] >= 0) {
              for (int p = 0; p < parts; p++) System.arraycopy(block[validityTensor[i]][p], blockPos, valid[c][p], off, k);
            } else {
              publicOnes(valid[c], off, k); // this owner's column has no NULLs
            }
          }
          blockPos += k;
          off += k;
          n -= k;
        }
      } catch (IOException e) {
        throw fail("is truncated or unreadable");
      } catch (NullPointerException | ArrayIndexOutOfBoundsException e) {
        throw fail("has a damaged block header");
      }
    }

    /** This party's parts of the trivial sharing of 1 (aby3: component 0 = 1; semi2k and ref2k: party 0's part). */
    private void publicOnes(long[][] dst, int off, int k) {
      if (meta.protocol().equals("aby3")) {
        if (party == 0) Arrays.fill(dst[0], off, off + k, 1L);
        if (party == 2) Arrays.fill(dst[1], off, off + k, 1L);
      } else if (meta.protocol().equals("ref2k") || party == 0) {
        Arrays.fill(dst[0], off, off + k, 1L);
      }
    }

    /** After the file's last row: the end marker, the file digest, and the metadata's digest. */
    void finish() {
      if (finished) return;
      finished = true;
      try {
        if (rowsRead != header.rows() || blockPos != blockRows) throw fail("ends before its declared rows");
        int end = in.readInt();
        fileDigest.update(ByteBuffer.allocate(4).putInt(end).array());
        if (end != -1) throw fail("has more rows than its header declares");
        byte[] stored = new byte[ShareFileFormat.DIGEST_BYTES];
        in.readFully(stored);
        byte[] actual = fileDigest.digest();
        if (!MessageDigest.isEqual(stored, actual)) throw fail("is damaged or was changed: its SHA-256 does not match");
        if (!ShareFileFormat.hex(actual).equals(sha256)) {
          throw fail("does not match the SHA-256 recorded in party " + party + "'s metadata");
        }
        if (in.read() != -1) throw fail("has trailing bytes after its digest");
      } catch (IOException e) {
        throw fail("is truncated or unreadable");
      } finally {
        closeQuietly();
      }
    }

    void closeQuietly() {
      try {
        if (in != null) in.close();
      } catch (IOException ignored) {
        // read-only handle
      }
    }
  }
}

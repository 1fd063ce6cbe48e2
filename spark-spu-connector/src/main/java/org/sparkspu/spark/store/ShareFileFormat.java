package org.sparkspu.spark.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The binary layout of one share file (format version 1). A file holds ONE party's shares of one
 * column group of one segment (a horizontal slice of rows written by one owner):
 *
 * <pre>
 * "SPUSHARE" | int headerLength | header                       (big-endian)
 * header  = version, protocol, parties, party (the binding), owner, tableId, segment, group,
 *           parts per tensor, column count, (name, hasValidity) per column, rows
 * block*  = int rows | SHA-256 of each chunk (32 bytes each) | chunks
 *           chunk = one tensor (a column's values, then its validity if it has one) of this block:
 *                   parts x rows little-endian longs (aby3: x_k then x_(k+1); semi2k: x_k)
 * end     = int -1 | SHA-256 over everything before it except the chunk bytes
 * </pre>
 *
 * The file digest covers the header and every block header, and each block header holds the
 * digests of its chunks, so any changed byte is caught (a two-level hash tree), while a query that
 * needs only some columns can skip the other chunks and still verify what it reads. The file
 * digest is also recorded in the party's metadata.
 */
public final class ShareFileFormat {
  private ShareFileFormat() {}

  public static final byte[] MAGIC = "SPUSHARE".getBytes(StandardCharsets.US_ASCII);
  public static final int VERSION = 1;
  public static final int DIGEST_BYTES = 32;
  public static final String METADATA_FILE = "_spu_metadata.json";
  private static final Pattern FILE_NAME = Pattern.compile("seg-(\\d{10})-g(\\d{2})\\.shares");

  /** The folder of party k's shares, under the store root. */
  public static String partyDirName(int party) {
    return "party-" + party;
  }

  /** The canonical file name of a segment's column group: names sort in row order. */
  public static String fileName(long segment, int group) {
    if (segment < 0 || segment > 9_999_999_999L) throw new IllegalArgumentException("segment number out of range: " + segment);
    if (group < 0 || group > 99) throw new IllegalArgumentException("group number out of range: " + group);
    return String.format("seg-%010d-g%02d.shares", segment, group);
  }

  /** True for names this format writes (other files in a party folder are ignored or reported). */
  public static boolean isShareFile(String name) {
    return FILE_NAME.matcher(name).matches();
  }

  static long[] parseName(String name) {
    Matcher m = FILE_NAME.matcher(name);
    if (!m.matches()) return null;
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }

  /** Share parts per tensor that a party holds under {@code protocol}. */
  public static int partsPerShare(String protocol) {
    return protocol.equals("aby3") ? 2 : 1;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** The header of one share file: everything that binds it to its party, table and position. */
  public record Header(int version, String protocol, int parties, int party, int owner, String tableId, long segment,
      int group, int parts, List<String> columns, boolean[] hasValidity, long rows) {
    public Header {
      columns = List.copyOf(columns);
      hasValidity = hasValidity.clone();
    }

    /** Tensors per block: each column's values, plus its validity where it has one. */
    public int tensors() {
      int t = columns.size();
      for (boolean v : hasValidity) if (v) t++;
      return t;
    }

    byte[] encode() {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(version);
        out.writeUTF(protocol);
        out.writeInt(parties);
        out.writeInt(party);
        out.writeInt(owner);
        out.writeUTF(tableId);
        out.writeLong(segment);
        out.writeInt(group);
        out.writeInt(parts);
        out.writeInt(columns.size());
        for (int i = 0; i < columns.size(); i++) {
          out.writeUTF(columns.get(i));
          out.writeBoolean(hasValidity[i]);
        }
        out.writeLong(rows);
        out.flush();
        byte[] body = bytes.toByteArray();
        byte[] all = Arrays.copyOf(MAGIC, MAGIC.length + 4 + body.length);
        all[8] = (byte) (body.length >>> 24);
        all[9] = (byte) (body.length >>> 16);
        all[10] = (byte) (body.length >>> 8);
        all[11] = (byte) body.length;
        System.arraycopy(body, 0, all, 12, body.length);
        return all;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Reads a header from its bytes after the magic and length; null when they do not parse. */
    static Header decode(byte[] body) {
      try {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        int version = in.readInt();
        String protocol = in.readUTF();
        int parties = in.readInt();
        int party = in.readInt();
        int owner = in.readInt();
        String tableId = in.readUTF();
        long segment = in.readLong();
        int group = in.readInt();
        int parts = in.readInt();
        int n = in.readInt();
        if (n < 0 || n > 100_000) return null;
        List<String> cols = new ArrayList<>(n);
        boolean[] valid = new boolean[n];
        for (int i = 0; i < n; i++) {
          cols.add(in.readUTF());
          valid[i] = in.readBoolean();
        }
        long rows = in.readLong();
        if (in.available() != 0) return null;
        return new Header(version, protocol, parties, party, owner, tableId, segment, group, parts, cols, valid, rows);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return "Header[v" + version + " " + protocol + "/" + parties + " party " + party + " owner " + owner + " table " + tableId
          + " segment " + segment + " group " + group + " columns " + columns + " rows " + rows + "]";
    }
  }
}

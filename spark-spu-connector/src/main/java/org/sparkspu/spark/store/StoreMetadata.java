package org.sparkspu.spark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkspu.arrow.ColumnEncoding;
import org.sparkspu.arrow.LogicalType;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.arrow.SecretTableSchema;

/**
 * One party's metadata file ({@code <path>/party-<k>/_spu_metadata.json}): the table's schema,
 * protocol, parties, table id, the fixed-point fraction bits of its FIXED_POINT columns, the
 * 16-byte key of its hashed STRING columns, the public domains, and its segments with their files,
 * row counts, file digests and each column's largest value bit length. Everything in it is public to the computing parties except nothing:
 * the per-file digests differ between parties (they hash different shares) and {@code party} is
 * the folder's own index; the rest (the "public part", hashed by {@link #publicDigest()}) must be
 * identical at every party.
 *
 * <p>Rows: segments in order, each a horizontal slice of rows written by one owner (one Spark
 * partition). A segment holds one or more column groups, each in its own file with the segment's
 * row count. A horizontal table (what {@link ShareStore#write} produces) has one group per segment
 * holding every column. A vertical table (a secure join's output, columns from several owners with
 * aligned rows) would write several groups per segment, one per owner, each with that owner's
 * columns; the reader zips the groups of a segment row by row.
 */
public record StoreMetadata(String tableId, String protocol, int parties, int party, int fractionBits, byte[] hashKey,
    SecretTableSchema schema, Map<String, List<Object>> publicDomains, List<Segment> segments) implements Serializable {

  public static final String FORMAT = "spark-spu-share-store";
  public static final int VERSION = 1;

  public StoreMetadata {
    hashKey = hashKey.clone();
    publicDomains = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(publicDomains));
    segments = List.copyOf(segments);
  }

  /**
   * One column group of a segment: its owner, its columns, its file name and this party's file
   * digest, and per column the bit length b of the largest |encoded value| the owner wrote in
   * that write (|v| <= 2^b; -1 for hashed columns), which bounds sums (see {@link #valueBits}).
   * {@code bits} is null in stores written before it was recorded.
   */
  public record Group(int owner, List<String> columns, String file, String sha256, List<Integer> bits) implements Serializable {
    public Group {
      columns = List.copyOf(columns);
      if (bits != null) {
        bits = List.copyOf(bits);
        if (bits.size() != columns.size()) throw new IllegalArgumentException(bits.size() + " bit lengths for " + columns.size() + " columns");
      }
    }

    public Group(int owner, List<String> columns, String file, String sha256) {
      this(owner, columns, file, sha256, null);
    }
  }

  /** A horizontal slice of rows: its number (file names sort by it), row count and column groups. */
  public record Segment(long id, long rows, List<Group> groups) implements Serializable {
    public Segment {
      groups = List.copyOf(groups);
    }
  }

  public long totalRows() {
    long n = 0;
    for (Segment s : segments) n += s.rows();
    return n;
  }

  public byte[] hashKey() {
    return hashKey.clone();
  }

  /**
   * The bit length b of the largest |encoded value| of {@code column} in any segment (|v| <= 2^b;
   * encodings: integers at the column's decimal scale, fixed point at fractionBits; -1: no value),
   * or empty when some segment did not record it (a store written before it was recorded).
   */
  public java.util.OptionalInt valueBits(String column) {
    int b = -1;
    for (Segment s : segments) {
      for (Group g : s.groups()) {
        int i = g.columns().indexOf(column);
        if (i < 0) continue;
        if (g.bits() == null) return java.util.OptionalInt.empty();
        b = Math.max(b, g.bits().get(i));
      }
    }
    return java.util.OptionalInt.of(b);
  }

  public SecretColumn column(String name) {
    for (SecretColumn c : schema.columns()) if (c.name().equals(name)) return c;
    return null;
  }

  /** The same metadata as seen from another party's folder (its digests are replaced by {@code digests}). */
  public StoreMetadata withParty(int k, List<Segment> segs) {
    return new StoreMetadata(tableId, protocol, parties, k, fractionBits, hashKey, schema, publicDomains, segs);
  }

  // ---- JSON ----

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  ObjectNode toJson(boolean publicPartOnly) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("version", VERSION);
    o.put("tableId", tableId);
    o.put("protocol", protocol);
    o.put("parties", parties);
    if (!publicPartOnly) o.put("party", party);
    o.put("fractionBits", fractionBits);
    o.put("hashKey", Base64.getEncoder().encodeToString(hashKey));
    ArrayNode cols = o.putArray("schema");
    for (SecretColumn c : schema.columns()) {
      ObjectNode j = cols.addObject();
      j.put("name", c.name());
      j.put("type", c.type().kind().name());
      if (c.type().kind() == LogicalType.Kind.DECIMAL) {
        j.put("precision", c.type().precision());
        j.put("scale", c.type().scale());
      }
      j.put("encoding", c.encoding().kind().name());
      if (c.encoding().kind() == ColumnEncoding.Kind.FIXED_POINT) j.put("fractionBits", c.encoding().fractionBits());
      j.put("nullable", c.nullable());
      j.put("owner", c.ownerParty());
    }
    ObjectNode doms = o.putObject("publicDomains");
    publicDomains.forEach((col, vals) -> {
      ArrayNode a = doms.putArray(col);
      LogicalType t = column(col).type();
      for (Object v : vals) a.add(PublicDomain.toJson(t, v));
    });
    o.put("totalRows", totalRows());
    ArrayNode segs = o.putArray("segments");
    for (Segment s : segments) {
      ObjectNode j = segs.addObject();
      j.put("id", s.id());
      j.put("rows", s.rows());
      ArrayNode gs = j.putArray("groups");
      for (Group g : s.groups()) {
        ObjectNode gj = gs.addObject();
        gj.put("owner", g.owner());
        ArrayNode gc = gj.putArray("columns");
        g.columns().forEach(gc::add);
        gj.put("file", g.file());
        if (g.bits() != null) {
          ArrayNode gb = gj.putArray("bits");
          g.bits().forEach(gb::add);
        }
        if (!publicPartOnly) gj.put("sha256", g.sha256());
      }
    }
    return o;
  }

  public String toJsonString() {
    try {
      return JSON.writeValueAsString(toJson(false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SHA-256 (hex) of the public part: everything but the folder's own party index and its file
   * digests. Equal at every party of a consistent store; parties compare it at the start of a query.
   */
  public String publicDigest() {
    try {
      byte[] canonical = new ObjectMapper().writeValueAsBytes(toJson(true));
      return ShareFileFormat.hex(ShareFileFormat.sha256().digest(canonical));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a metadata file; {@code where} names it in errors. */
  public static StoreMetadata fromJson(byte[] bytes, String where) {
    JsonNode o;
    try {
      o = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new StoreIntegrityException(-1, where, "share store metadata " + where + " is not valid JSON");
    }
    try {
      if (!FORMAT.equals(o.path("format").asText()) || o.path("version").asInt() != VERSION) {
        throw new StoreIntegrityException(-1, where, "share store metadata " + where + " is not format " + FORMAT + " version " + VERSION);
      }
      List<SecretColumn> cols = new ArrayList<>();
      for (JsonNode j : o.get("schema")) {
        LogicalType.Kind k = LogicalType.Kind.valueOf(j.get("type").asText());
        LogicalType t = k == LogicalType.Kind.DECIMAL ? LogicalType.decimal(j.get("precision").asInt(), j.get("scale").asInt())
            : LogicalType.of(k);
        ColumnEncoding.Kind ek = ColumnEncoding.Kind.valueOf(j.get("encoding").asText());
        ColumnEncoding e = ek == ColumnEncoding.Kind.FIXED_POINT ? ColumnEncoding.fixedPoint(j.get("fractionBits").asInt())
            : new ColumnEncoding(ek, 0);
        cols.add(new SecretColumn(j.get("name").asText(), j.get("owner").asInt(), t, e, j.get("nullable").asBoolean()));
      }
      SecretTableSchema schema = new SecretTableSchema(cols);
      Map<String, List<Object>> doms = new LinkedHashMap<>();
      var it = o.get("publicDomains").fields();
      while (it.hasNext()) {
        var e = it.next();
        SecretColumn c = null;
        for (SecretColumn sc : cols) if (sc.name().equals(e.getKey())) c = sc;
        if (c == null) throw new IllegalArgumentException("public domain of unknown column");
        List<Object> vals = new ArrayList<>();
        for (JsonNode v : e.getValue()) vals.add(PublicDomain.fromJson(c.type(), v));
        doms.put(e.getKey(), vals);
      }
      List<Segment> segs = new ArrayList<>();
      for (JsonNode s : o.get("segments")) {
        List<Group> gs = new ArrayList<>();
        for (JsonNode g : s.get("groups")) {
          List<String> gc = new ArrayList<>();
          for (JsonNode c : g.get("columns")) gc.add(c.asText());
          List<Integer> gb = null;
          if (g.has("bits")) {
            gb = new ArrayList<>();
            for (JsonNode b : g.get("bits")) gb.add(b.asInt());
          }
          gs.add(new Group(g.get("owner").asInt(), gc, g.get("file").asText(), g.get("sha256").asText(), gb));
        }
        segs.add(new Segment(s.get("id").asLong(), s.get("rows").asLong(), gs));
      }
      StoreMetadata m = new StoreMetadata(o.get("tableId").asText(), o.get("protocol").asText(), o.get("parties").asInt(),
          o.get("party").asInt(), o.get("fractionBits").asInt(), Base64.getDecoder().decode(o.get("hashKey").asText()), schema,
          doms, segs);
      if (m.totalRows() != o.get("totalRows").asLong()) throw new IllegalArgumentException("row counts disagree");
      return m;
    } catch (StoreIntegrityException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StoreIntegrityException(-1, where, "share store metadata " + where + " is malformed (" + e.getClass().getSimpleName() + ")");
    }
  }

  // ---- files ----

  /** Reads party {@code k}'s metadata under the store root, or null when the folder has none. */
  public static StoreMetadata read(String root, int k) {
    Path p = new Path(StoreFs.partyDir(root, k), ShareFileFormat.METADATA_FILE);
    FileSystem fs = StoreFs.of(p);
    String where = ShareFileFormat.partyDirName(k) + "/" + ShareFileFormat.METADATA_FILE;
    try {
      if (!fs.exists(p)) return null;
      byte[] bytes;
      try (InputStream in = fs.open(p)) {
        bytes = in.readAllBytes();
      }
      StoreMetadata m = fromJson(bytes, where);
      if (m.party() != k) {
        throw new StoreIntegrityException(k, where, "share store metadata " + where + " is bound to party " + m.party()
            + ", but it lies in party " + k + "'s folder");
      }
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read share store metadata " + where, e);
    }
  }

  /** Writes this party's metadata into its folder (a temporary file renamed over the old one). */
  public void write(String root) {
    Path dir = StoreFs.partyDir(root, party);
    Path p = new Path(dir, ShareFileFormat.METADATA_FILE);
    Path tmp = new Path(dir, "." + ShareFileFormat.METADATA_FILE + ".tmp");
    FileSystem fs = StoreFs.of(p);
    try {
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(toJsonString().getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(p)) fs.delete(p, false);
      if (!fs.rename(tmp, p)) throw new IOException("rename failed");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write share store metadata " + p, e);
    }
  }

  /** Schema, protocol and counts only: never the key. */
  @Override
  public String toString() {
    return "StoreMetadata[table " + tableId + ", " + protocol + "/" + parties + ", party " + party + ", " + schema.size()
        + " columns, " + totalRows() + " rows in " + segments.size() + " segments]";
  }
}

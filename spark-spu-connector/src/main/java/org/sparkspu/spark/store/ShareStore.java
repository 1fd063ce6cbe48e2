package org.sparkspu.spark.store;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.arrow.BridgeConfig;
import org.sparkspu.arrow.DataFrameBridge;
import org.sparkspu.arrow.EncodedBatch;
import org.sparkspu.arrow.EncodedColumn;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.arrow.SecretTableSchema;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * A secret table at rest: for each party k, a folder {@code <path>/party-<k>} holding only party k's
 * shares of every row, with the party binding and an integrity digest in every file.
 *
 * <p>Layout ({@link ShareFileFormat}, {@link StoreMetadata}):
 *
 * <pre>
 * path/party-0/_spu_metadata.json          schema, protocol, parties, table id, key, public domains, segments
 * path/party-0/seg-0000000000-g00.shares   party 0's shares of segment 0 (owner A's Spark partition 0)
 * path/party-0/seg-0000000001-g00.shares   ...
 * path/party-1/...                         the same files with party 1's shares
 * </pre>
 *
 * One file per (owner, Spark partition, party); names sort in row order; several owners append
 * segments to the same table (the horizontal union of their rows). Files are written by the owner's
 * own Spark tasks: the owner's plaintext never leaves its tasks, and each party's folder receives
 * only that party's shares (in a federated deployment each folder is the party's own storage).
 *
 * <p><b>What the store reveals</b> to every computing party: the schema, the row count of every
 * owner's partitions, and, for each column named in the {@code publicDomain} option, the set of its
 * distinct values in the owners' rows (needed to GROUP BY it without revealing which row is in
 * which group). Nothing else: any single party's shares are uniformly random (aby3: an honest
 * majority is assumed, two colluding parties can reconstruct everything; semi2k: all n parties
 * would have to collude).
 *
 * <p>STRING and BINARY columns are stored as keyed SipHash-2-4 hashes (equality only) under a
 * 16-byte table key drawn at the first write and recorded in every party's metadata, so all
 * owners hash equal strings equally. The key is known to the computing parties; it protects
 * nothing that is revealed (hashes stay secret-shared; group keys are revealed as the public domain
 * values themselves).
 *
 * <p>Vertical tables (a secure join's output: columns of several owners, rows aligned) fit the
 * same format: a segment lists several column groups, each group one file per party with the
 * segment's row count, holding the columns one owner contributed; {@link ShareReader} reads the
 * groups of a segment in lockstep. {@link #writeVertical} writes such a table (the connector's
 * secure_join, {@code org.sparkspu.spark.join.SecureJoin}) with {@link StoreMetadata} and
 * {@link ShareFileWriter} exactly as {@link #write} does with one group.
 *
 * <p>Writes to one path must not run concurrently.
 */
public final class ShareStore {
  private ShareStore() {}

  /** Largest public domain per column by default (groups are the product of the domains). */
  public static final int DEFAULT_MAX_DOMAIN = 10_000;
  /** Rows per block of a share file (the writer's Arrow batch). */
  public static final int DEFAULT_BLOCK_ROWS = 1 << 16;

  /**
   * The stored code of a STRING/BINARY value from its 64-bit keyed SipHash-2-4 (as arrow-bridge
   * computes it): the top 62 bits, sign-extended (h >> 2), so that every code is an ordinary ring
   * integer (|code| < 2^62) which the engine can compare and use as a constant. Among n distinct
   * strings two codes collide with probability at most n^2 / 2^63.
   */
  public static long stringCode(long sipHash) {
    return sipHash >> 2;
  }

  /**
   * What one writing task produced: a segment, each party's file digest, and per column the bit
   * length of its largest |encoded value| (-1 for hashed columns and no rows).
   */
  record Written(long segment, long rows, String[] digests, int[] bits) implements Serializable {}

  /** Per column, the largest bit length over a write's tasks: recorded for every segment of that write. */
  static List<Integer> maxBits(List<Written> written, int columns) {
    int[] b = new int[columns];
    java.util.Arrays.fill(b, -1);
    for (Written w : written) for (int c = 0; c < columns; c++) b[c] = Math.max(b[c], w.bits()[c]);
    List<Integer> out = new ArrayList<>();
    for (int v : b) out.add(v);
    return out;
  }

  /** Bit length b with |v| <= 2^b (0 for 0 and -1). */
  static int magnitudeBits(long v) {
    return 64 - Long.numberOfLeadingZeros(v < 0 ? ~v : v);
  }

  /**
   * Secret-shares {@code df}, owned by {@code party}, into the store at {@code path} (appending to the
   * rows other owners wrote, same schema). Options: "publicDomain" = comma-separated columns whose
   * distinct values become public metadata (needed to GROUP BY them; when appending, the same set
   * the store already has); "mode" = append (default) | overwrite | errorifexists | ignore;
   * "maxDomainSize" (default 10000) and "blockRows" (default 65536).
   *
   * @throws SpuQueryException naming the column when the schema differs from the stored one or a
   *     public domain cannot be recorded
   */
  public static void write(SparkSession spark, Dataset<Row> df, int party, String path, SpuConf conf, Map<String, String> options) {
    Map<String, String> opts = lower(options);
    int parties = conf.parties();
    String protocol = conf.protocol();
    if (party < 0 || party >= parties) {
      throw new SpuQueryException("party " + party + " is not one of the " + parties + " parties (0.." + (parties - 1) + ")");
    }
    String mode = opts.getOrDefault("mode", "append").toLowerCase(Locale.ROOT);
    int maxDomain = Integer.parseInt(opts.getOrDefault("maxdomainsize", "" + DEFAULT_MAX_DOMAIN));
    int blockRows = Integer.parseInt(opts.getOrDefault("blockrows", "" + DEFAULT_BLOCK_ROWS));
    SecretTableSchema schema = SecretTableSchema.fromSpark(df.schema(), party, conf.fractionBits(), Set.of());
    List<String> domainCols = parseColumns(opts.get("publicdomain"), schema);

    Path rootPath = new Path(path);
    FileSystem fs = StoreFs.of(rootPath);
    List<Integer> existingDirs = partyDirs(fs, rootPath);
    switch (mode) {
      case "overwrite" -> {
        deletePartyDirs(fs, rootPath, existingDirs);
        existingDirs = List.of();
      }
      case "errorifexists", "error", "default" -> {
        if (!existingDirs.isEmpty()) throw new SpuQueryException("a share store already exists at " + path + " (mode " + mode + ")");
      }
      case "ignore" -> {
        if (!existingDirs.isEmpty()) return;
      }
      case "append" -> { }
      default -> throw new SpuQueryException("unknown write mode '" + mode + "': use append, overwrite, errorifexists or ignore");
    }

    StoreMetadata[] old = existingDirs.isEmpty() ? null : readAll(path, existingDirs, parties, protocol);
    String tableId;
    byte[] key;
    long base;
    SecretTableSchema merged;
    if (old == null) {
      tableId = UUID.randomUUID().toString();
      key = new byte[16];
      new SecureRandom().nextBytes(key);
      base = 0;
      merged = schema;
    } else {
      StoreMetadata m = old[0];
      tableId = m.tableId();
      key = m.hashKey();
      base = m.segments().isEmpty() ? 0 : m.segments().get(m.segments().size() - 1).id() + 1;
      merged = mergeSchema(m.schema(), schema);
      if (!new LinkedHashSet<>(domainCols).equals(m.publicDomains().keySet())) {
        throw new SpuQueryException(firstDifference(domainCols, m.publicDomains().keySet()),
            "the store records public domains for " + m.publicDomains().keySet() + "; an appending owner must declare the same"
                + " columns (option publicDomain), got " + domainCols + ": a domain must cover every owner's rows");
      }
    }

    // Public domains of this owner's rows (computed by Spark on the owner's own data).
    Map<String, List<Object>> domains = new LinkedHashMap<>();
    for (String c : domainCols) {
      SecretColumn col = column(schema, c);
      List<Row> rows = df.select(df.col(quote(c))).distinct().limit(maxDomain + 1).collectAsList();
      if (rows.size() > maxDomain) {
        throw new SpuQueryException(c, "column '" + c + "' has more than " + maxDomain + " distinct values: too many for a public"
            + " domain (option maxDomainSize); group by a coarser column");
      }
      List<Object> vals = new ArrayList<>();
      for (Row r : rows) vals.add(PublicDomain.canonical(col.type(), r.get(0)));
      if (old != null) vals.addAll(old[0].publicDomains().get(c));
      domains.put(c, PublicDomain.sorted(vals));
    }

    List<Written> written = runWrite(df, schema, party, 0, path, protocol, parties, tableId, key, base, blockRows,
        DataFrameBridge.config(spark));

    List<Integer> bits = maxBits(written, schema.size());
    for (int k = 0; k < parties; k++) {
      List<StoreMetadata.Segment> segs = new ArrayList<>(old == null ? List.of() : old[k].segments());
      for (Written w : written) {
        segs.add(new StoreMetadata.Segment(w.segment(), w.rows(), List.of(new StoreMetadata.Group(party,
            names(schema), ShareFileFormat.fileName(w.segment(), 0), w.digests()[k], bits))));
      }
      new StoreMetadata(tableId, protocol, parties, k, old == null ? conf.fractionBits() : old[0].fractionBits(), key, merged,
          domains, segs).write(path);
    }
  }

  /**
   * One owner's column group of a vertical table (see the class comment): the owner's columns of
   * every row of the table, in the table's row order, with Spark partition s holding exactly the
   * rows of segment s (the same row count in every group). {@code columns} describes {@code rows}.
   */
  public record VerticalGroup(int owner, Dataset<Row> rows, SecretTableSchema columns) {}

  /**
   * Writes a vertical table at {@code path} (replacing any share store there): segment s holds,
   * for each group, owner's Spark partition s of {@link VerticalGroup#rows}, secret-shared into
   * every party's folder by the owner's own tasks. Column names must be distinct across groups.
   * {@code publicDomains}: columns whose distinct values (among the table's rows, computed from their
   * owner's rows) become public metadata, at most {@code maxDomain} each.
   *
   * @return the table's row count
   * @throws SpuQueryException naming the column when the groups' rows do not line up or a domain is too large
   */
  public static long writeVertical(SparkSession spark, String path, SpuConf conf, List<VerticalGroup> groups,
      List<String> publicDomains, int maxDomain, int blockRows) {
    int parties = conf.parties();
    String protocol = conf.protocol();
    if (groups.isEmpty()) throw new SpuQueryException("a vertical table needs at least one column group");
    List<SecretColumn> all = new ArrayList<>();
    for (VerticalGroup g : groups) {
      if (g.owner() < 0 || g.owner() >= parties) {
        throw new SpuQueryException("owner " + g.owner() + " is not one of the " + parties + " parties (0.." + (parties - 1) + ")");
      }
      for (SecretColumn c : g.columns().columns()) {
        if (column(new SecretTableSchema(all), c.name()) != null) {
          throw new SpuQueryException(c.name(), "column '" + c.name() + "' comes from two owners' tables: rename one side's column");
        }
        all.add(c);
      }
    }
    SecretTableSchema schema = new SecretTableSchema(all);
    List<String> domainCols = parseColumns(String.join(",", publicDomains), schema);
    Map<String, List<Object>> domains = new LinkedHashMap<>();
    for (String c : domainCols) {
      for (VerticalGroup g : groups) {
        SecretColumn col = column(g.columns(), c);
        if (col == null) continue;
        List<Row> rows = g.rows().select(g.rows().col(quote(c))).distinct().limit(maxDomain + 1).collectAsList();
        if (rows.size() > maxDomain) {
          throw new SpuQueryException(c, "column '" + c + "' has more than " + maxDomain + " distinct values: too many for a public"
              + " domain (option maxDomainSize); group by a coarser column");
        }
        List<Object> vals = new ArrayList<>();
        for (Row r : rows) vals.add(PublicDomain.canonical(col.type(), r.get(0)));
        domains.put(c, PublicDomain.sorted(vals));
      }
    }
    Path rootPath = new Path(path);
    FileSystem fs = StoreFs.of(rootPath);
    deletePartyDirs(fs, rootPath, partyDirs(fs, rootPath));
    String tableId = UUID.randomUUID().toString();
    byte[] key = new byte[16];
    new SecureRandom().nextBytes(key);
    BridgeConfig bridge = DataFrameBridge.config(spark);
    List<List<Written>> written = new ArrayList<>();
    try {
      for (int g = 0; g < groups.size(); g++) {
        VerticalGroup vg = groups.get(g);
        written.add(runWrite(vg.rows(), vg.columns(), vg.owner(), g, path, protocol, parties, tableId, key, 0, blockRows, bridge));
      }
      List<Written> first = written.get(0);
      for (int g = 1; g < groups.size(); g++) {
        List<Written> w = written.get(g);
        boolean same = w.size() == first.size();
        for (int i = 0; same && i < w.size(); i++) {
          same = w.get(i).segment() == first.get(i).segment() && w.get(i).rows() == first.get(i).rows();
        }
        if (!same) {
          throw new SpuQueryException("the column groups of owners " + groups.get(0).owner() + " and " + groups.get(g).owner()
              + " do not line up row by row (segments and row counts differ): the vertical table was not written");
        }
      }
    } catch (RuntimeException e) {
      deleteSegmentsFrom(path, parties, 0);
      throw e;
    }
    long rows = 0;
    for (Written w : written.get(0)) rows += w.rows();
    List<List<Integer>> bits = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) bits.add(maxBits(written.get(g), groups.get(g).columns().size()));
    for (int k = 0; k < parties; k++) {
      List<StoreMetadata.Segment> segs = new ArrayList<>();
      for (int i = 0; i < written.get(0).size(); i++) {
        List<StoreMetadata.Group> gs = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
          Written w = written.get(g).get(i);
          gs.add(new StoreMetadata.Group(groups.get(g).owner(), names(groups.get(g).columns()), ShareFileFormat.fileName(w.segment(), g),
              w.digests()[k], bits.get(g)));
        }
        segs.add(new StoreMetadata.Segment(written.get(0).get(i).segment(), written.get(0).get(i).rows(), gs));
      }
      new StoreMetadata(tableId, protocol, parties, k, conf.fractionBits(), key, schema, domains, segs).write(path);
    }
    return rows;
  }

  private static List<Written> runWrite(Dataset<Row> df, SecretTableSchema schema, int owner, int group, String root, String protocol,
      int parties, String tableId, byte[] key, long base, int blockRows, BridgeConfig bridge) {
    List<String> cols = names(schema);
    boolean[] validity = new boolean[schema.size()];
    boolean[] hashed = new boolean[schema.size()];
    for (int i = 0; i < schema.size(); i++) {
      validity[i] = schema.column(i).nullable();
      hashed[i] = schema.column(i).encoding().kind() == org.sparkspu.arrow.ColumnEncoding.Kind.KEYED_HASH;
    }
    try {
      List<Written> out = new ArrayList<>(DataFrameBridge.mapEncodedPartitions(df, schema, bridge.withBatchRows(blockRows), key,
          (partition, batches) -> {
            long seg = base + partition;
            Sharer sharer = new Sharer(protocol, parties);
            FileSystem tfs = StoreFs.of(new Path(root));
            ShareFileWriter[] w = new ShareFileWriter[parties];
            int[] bits = new int[cols.size()];
            java.util.Arrays.fill(bits, -1);
            try {
              for (int k = 0; k < parties; k++) {
                ShareFileFormat.Header h = new ShareFileFormat.Header(ShareFileFormat.VERSION, protocol, parties, k, owner, tableId,
                    seg, group, sharer.parts(), cols, validity, 0);
                w[k] = new ShareFileWriter(new Path(StoreFs.partyDir(root, k), ShareFileFormat.fileName(seg, group)), h);
              }
              while (batches.hasNext()) {
                EncodedBatch b = batches.next();
                int n = b.rowCount();
                List<List<long[][]>> perParty = new ArrayList<>();
                for (int k = 0; k < parties; k++) perParty.add(new ArrayList<>());
                for (int c = 0; c < cols.size(); c++) {
                  EncodedColumn ec = b.column(c);
                  long[] v = ec.values().data();
                  if (hashed[c]) {
                    long[] h = new long[n];
                    for (int i = 0; i < n; i++) h[i] = stringCode(v[i]); // NULL rows stay 0
                    v = h;
                  } else {
                    int m = bits[c];
                    for (int i = 0; i < n; i++) m = Math.max(m, magnitudeBits(v[i])); // NULL rows hold 0
                    bits[c] = m;
                  }
                  split(sharer, v, n, perParty);
                  if (validity[c]) split(sharer, ec.validity().data(), n, perParty);
                }
                for (int k = 0; k < parties; k++) w[k].append(n, perParty.get(k));
              }
              if (w[0].rows() == 0) return Collections.<Written>emptyIterator();
              String[] digests = new String[parties];
              for (int k = 0; k < parties; k++) digests[k] = w[k].finish(tfs);
              return List.of(new Written(seg, w[0].rows(), digests, bits)).iterator();
            } finally {
              for (ShareFileWriter x : w) if (x != null) x.close();
            }
          }).collect());
      out.sort((a, b) -> Long.compare(a.segment(), b.segment()));
      return out;
    } catch (RuntimeException e) {
      deleteSegmentsFrom(root, parties, base);
      throw e;
    }
  }

  private static void split(Sharer sharer, long[] x, int n, List<List<long[][]>> perParty) {
    long[][] comps = sharer.components(x, n);
    for (int k = 0; k < perParty.size(); k++) perParty.get(k).add(sharer.partyParts(comps, k));
  }

  /** Removes the files a failed write may have left (segments >= base). */
  private static void deleteSegmentsFrom(String root, int parties, long base) {
    for (int k = 0; k < parties; k++) {
      Path dir = StoreFs.partyDir(root, k);
      FileSystem fs = StoreFs.of(dir);
      try {
        if (!fs.exists(dir)) continue;
        for (FileStatus st : fs.listStatus(dir)) {
          long[] seg = ShareFileFormat.parseName(st.getPath().getName());
          if (seg != null && seg[0] >= base) fs.delete(st.getPath(), false);
        }
      } catch (IOException ignored) {
        // best effort: a stray file is reported by the reader's listing check
      }
    }
  }

  // ---- helpers ----

  private static Map<String, String> lower(Map<String, String> options) {
    Map<String, String> m = new TreeMap<>();
    if (options != null) options.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v));
    return m;
  }

  private static String quote(String c) {
    return "`" + c.replace("`", "``") + "`";
  }

  static List<String> names(SecretTableSchema s) {
    List<String> n = new ArrayList<>();
    for (SecretColumn c : s.columns()) n.add(c.name());
    return n;
  }

  private static SecretColumn column(SecretTableSchema s, String name) {
    for (SecretColumn c : s.columns()) if (c.name().equals(name)) return c;
    return null;
  }

  private static List<String> parseColumns(String option, SecretTableSchema schema) {
    List<String> out = new ArrayList<>();
    if (option == null || option.isBlank()) return out;
    for (String raw : option.split(",")) {
      String c = raw.trim();
      if (c.isEmpty()) continue;
      SecretColumn col = column(schema, c);
      if (col == null) {
        throw new SpuQueryException(c, "publicDomain column '" + c + "' is not in the DataFrame (columns: " + String.join(", ", names(schema)) + ")");
      }
      if (!PublicDomain.supports(col.type())) {
        throw new SpuQueryException(c, "column '" + c + "' is " + col.type() + ": a BINARY column cannot have a public domain");
      }
      if (!out.contains(c)) out.add(c);
    }
    return out;
  }

  private static String firstDifference(List<String> a, Set<String> b) {
    for (String x : a) if (!b.contains(x)) return x;
    for (String x : b) if (!a.contains(x)) return x;
    return null;
  }

  /** Same columns, in order, with the same types and encodings; NOT NULL only where every owner's column is. */
  static SecretTableSchema mergeSchema(SecretTableSchema stored, SecretTableSchema incoming) {
    List<String> sn = names(stored), in = names(incoming);
    for (String c : in) {
      if (!sn.contains(c)) throw new SpuQueryException(c, "column '" + c + "' is not in the stored table (columns: " + String.join(", ", sn) + ")");
    }
    for (String c : sn) {
      if (!in.contains(c)) throw new SpuQueryException(c, "column '" + c + "' of the stored table is missing from the DataFrame being appended");
    }
    if (!sn.equals(in)) {
      for (int i = 0; i < sn.size(); i++) {
        if (!sn.get(i).equals(in.get(i))) {
          throw new SpuQueryException(in.get(i), "column '" + in.get(i) + "' is at position " + i + ", the stored table has '" + sn.get(i)
              + "' there: select the columns in the stored order (" + String.join(", ", sn) + ")");
        }
      }
    }
    List<SecretColumn> out = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      SecretColumn s = stored.column(i), n = incoming.column(i);
      if (!s.type().equals(n.type())) {
        throw new SpuQueryException(s.name(), "column '" + s.name() + "' is " + s.type() + " in the stored table but " + n.type()
            + " in the DataFrame being appended");
      }
      if (!s.encoding().equals(n.encoding())) {
        throw new SpuQueryException(s.name(), "column '" + s.name() + "' is stored as " + s.encoding() + " but would be written as "
            + n.encoding() + " (spark.spu.fractionBits differs from the first write's)");
      }
      out.add(new SecretColumn(s.name(), s.ownerParty(), s.type(), s.encoding(), s.nullable() || n.nullable()));
    }
    return new SecretTableSchema(out);
  }

  /** Indices of the party-k folders under the root. */
  static List<Integer> partyDirs(FileSystem fs, Path root) {
    List<Integer> out = new ArrayList<>();
    try {
      if (!fs.exists(root)) return out;
      for (FileStatus st : fs.listStatus(root)) {
        String n = st.getPath().getName();
        if (st.isDirectory() && n.matches("party-\\d{1,4}")) out.add(Integer.parseInt(n.substring(6)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the share store at " + root, e);
    }
    Collections.sort(out);
    return out;
  }

  private static void deletePartyDirs(FileSystem fs, Path root, List<Integer> dirs) {
    try {
      for (int k : dirs) fs.delete(new Path(root, ShareFileFormat.partyDirName(k)), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the old share store at " + root, e);
    }
  }

  /**
   * Every party's metadata of an existing store, checked to agree with each other and with the
   * session's protocol and parties.
   */
  static StoreMetadata[] readAll(String path, List<Integer> dirs, int parties, String protocol) {
    StoreMetadata[] m = new StoreMetadata[parties];
    for (int k = 0; k < parties; k++) {
      m[k] = StoreMetadata.read(path, k);
      if (m[k] == null) {
        throw new StoreIntegrityException(k, ShareFileFormat.partyDirName(k), "the share store at " + path + " has no metadata for party "
            + k + " (folders found: " + dirs + ")");
      }
    }
    for (int k : dirs) {
      if (k >= parties) {
        throw new StoreIntegrityException(k, ShareFileFormat.partyDirName(k), "the share store at " + path + " has a folder for party " + k
            + ", but the session has " + parties + " parties");
      }
    }
    checkAgree(m, path);
    if (!m[0].protocol().equals(protocol) || m[0].parties() != parties) {
      throw new SpuQueryException("the share store at " + path + " holds " + m[0].protocol() + " shares for " + m[0].parties()
          + " parties; the session is " + protocol + " with " + parties + " parties (spark.spu.protocol, spark.spu.parties)");
    }
    return m;
  }

  /** All parties' metadata have the same public part. */
  static void checkAgree(StoreMetadata[] m, String path) {
    String d0 = m[0].publicDigest();
    for (int k = 1; k < m.length; k++) {
      if (!m[k].publicDigest().equals(d0)) {
        throw new StoreIntegrityException(k, ShareFileFormat.partyDirName(k), "party " + k + "'s share store metadata at " + path
            + " differs from party 0's (schema, files, row counts or domains)");
      }
    }
  }
}

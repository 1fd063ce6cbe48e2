package org.sparkspu.spark.join;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparkspu.arrow.SecretTableSchema;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.runtime.MpcRun;
import org.sparkspu.spark.runtime.MpcRunner;
import org.sparkspu.spark.store.ShareStore;
import scala.Tuple2;

/**
 * secure_join: the inner equi-join of two parties' tables whose result nobody sees. The output is
 * a secret, vertical share store (see {@link ShareStore}): every non-key column of both sides
 * secret-shared, rows aligned, readable with {@code SecureFrame.read} / {@code
 * spark.read().format("spu").load(path)}, so every secure aggregate, secret filter and group-by
 * over public domains runs on it.
 *
 * <h2>How it runs</h2>
 * <ol>
 *   <li>Each side's key owner (the table's owner; for a chained join the owner of an earlier join's
 *       output that holds every key column in plaintext) encodes its key tuples canonically
 *       ({@link JoinKeys}) and the two key owners run ECDH-PSI and the 1:N row alignment
 *       ({@link org.sparkspu.engine.psi.Psi}) in one MPC session ({@link MpcRunner}; any other party
 *       runs nothing). Both learn, for each joined row, their own row.</li>
 *   <li>Every owner of a side takes its own rows in the joined order (1:N: a row of the "1" side
 *       repeats), keeps them in plaintext in its private folder {@code path/private-g<G>-party-<P>}
 *       (with the joined row number {@code _spu_pos}), and secret-shares its non-key columns into
 *       every party's folder of the store, one column group per owner, segment by segment
 *       ({@link ShareStore#writeVertical}). A third party (aby3) receives only shares.</li>
 * </ol>
 * The private aligned rows let a chained join run PSI again from plaintext keys (A ⋈ B, then ⋈ C on
 * a column of A or of B), and let queries on the store evaluate single-owner predicates and GROUP BY
 * one-hots at their owner, on these plaintext rows (spark.spu.localEvaluation).
 *
 * <h2>Deployment note</h2>
 * In the embedded deployment (all parties in one Spark application) the driver collects each key
 * owner's canonical keys (about 20-40 bytes per row plus the key itself) into that owner's party
 * input, and each owner's joined row numbers (4 bytes per joined row) come back to the driver to
 * drive the owner's Spark job that writes its shares; the driver hosts every party there anyway. In
 * executor mode the PSI runs in the key owners' own executors (party k's task receives only party
 * k's keys). Duplicate keys on one side are allowed (1:N); duplicates on both sides (N:M) are
 * refused by both key owners before any key-derived value is sent.
 *
 * <h2>What is revealed (leakage)</h2>
 * <ul>
 *   <li>To the two key owners: PSI's leakage ({@link org.sparkspu.engine.psi.Psi}): which of their own
 *       rows are in the join, the intersection size, both sides' numbers of distinct non-null keys,
 *       whether the other side repeats keys, and for a 1:N join the other side's multiplicity of
 *       each matched key (the shape of the joined rows). Never a key outside the intersection:
 *       only blinded curve points and tags of the keys travel.</li>
 *   <li>To every owner of a side (in a chained join, also the owners that do not hold the keys):
 *       which of its own rows are joined, and in which order and multiplicity, because it
 *       secret-shares them in that order.</li>
 *   <li>To every party: the joined row count, the column names and types, and for each column
 *       named in the {@code publicDomain} option its distinct values among the joined rows (needed to
 *       GROUP BY it).</li>
 *   <li>Nothing else: a party that owns no key (the third aby3 party) receives only shares, and no
 *       party receives the other side's column values in plaintext.</li>
 * </ul>
 *
 * <h2>Options</h2>
 * {@code path}: where to write the output (default: a fresh folder {@code spu-join-<uuid>} under
 * spark.spu.joinDir, else spark.local.dir's first folder, else java.io.tmpdir; it stays until deleted; an existing output there is replaced only with
 * {@code mode=overwrite}); {@code publicDomain}: comma-separated output columns to record public
 * domains for; {@code maxDomainSize} (default 10000); {@code segmentRows} (rows per segment, default
 * 65536); {@code psiBatchSize} (default 16384).
 */
public final class SecureJoin {
  /** Session setting: the folder for join outputs without a "path" option (they are not deleted automatically). */
  public static final String JOIN_DIR = "spark.spu.joinDir";

  private SecureJoin() {}

  /**
   * Joins {@code left} and {@code right} on the equally named columns {@code keys} ({@code how} must
   * be "inner") and writes the secret result. See the class comment.
   *
   * @throws SpuQueryException naming the column or party for bad input, an unsupported {@code how},
   *     or an N:M join
   */
  public static JoinReport join(SparkSession spark, JoinInput left, JoinInput right, List<String> keys, String how,
      Map<String, String> options) {
    return join(spark, left, right, keys, keys, how, options);
  }

  /**
   * Joins on {@code leftKeys.get(i) = rightKeys.get(i)}: keys named differently on the two sides
   * (l_orderkey = o_orderkey). The side that is a party's own table takes the other side's names
   * (the right one when both are; a join output keeps its names), so the joined table holds no key
   * column either way.
   */
  public static JoinReport join(SparkSession spark, JoinInput left, JoinInput right, List<String> leftKeys, List<String> rightKeys,
      String how, Map<String, String> options) {
    if (leftKeys.size() != rightKeys.size()) {
      throw new SpuQueryException("secure_join needs as many right keys as left keys: " + leftKeys + " vs " + rightKeys);
    }
    if (leftKeys.equals(rightKeys)) return joinOnNames(spark, left, right, leftKeys, how, options);
    boolean rightOwned = right.groups().size() == 1 && right.groups().get(0).privateColumns().equals(right.groups().get(0).secretColumns());
    if (rightOwned) return joinOnNames(spark, left, right.renamed(rightKeys, leftKeys), leftKeys, how, options);
    return joinOnNames(spark, left.renamed(leftKeys, rightKeys), right, rightKeys, how, options);
  }

  private static JoinReport joinOnNames(SparkSession spark, JoinInput left, JoinInput right, List<String> keys, String how,
      Map<String, String> options) {
    String h = how == null ? "inner" : how.trim().toLowerCase(Locale.ROOT);
    if (!h.equals("inner")) {
      throw new SpuQueryException("secure_join supports how = inner only, got '" + how + "': an outer or semi join would need"
          + " secret match flags, which are not built yet");
    }
    SpuConf conf = SpuConf.from(key -> spark.conf().getOption(key).isDefined() ? spark.conf().getOption(key).get() : null);
    Map<String, String> opts = new TreeMap<>();
    if (options != null) options.forEach((k, v) -> opts.put(k.toLowerCase(Locale.ROOT), v));
    List<String> keyList = List.copyOf(keys);
    JoinInput.Group lk = keyOwner(left, keyList);
    JoinInput.Group rk = keyOwner(right, keyList);
    for (JoinInput side : List.of(left, right)) {
      for (JoinInput.Group g : side.groups()) {
        if (g.owner() < 0 || g.owner() >= conf.parties()) {
          throw new SpuQueryException("secure_join: " + side.describe() + " names party " + g.owner() + ", but the session has "
              + conf.parties() + " parties (0.." + (conf.parties() - 1) + ")");
        }
      }
    }
    JoinKeys.checkTypes(keyList, lk.indexed().schema(), rk.indexed().schema(), left.describe(), right.describe());
    if (lk.owner() == rk.owner()) {
      throw new SpuQueryException("secure_join: the keys of both sides belong to party " + lk.owner() + ": a party joins its own"
          + " tables in plaintext Spark");
    }
    String path = outputPath(spark, opts);
    int segmentRows = positive(opts, "segmentrows", ShareStore.DEFAULT_BLOCK_ROWS);
    int psiBatch = positive(opts, "psibatchsize", 1 << 14);
    int maxDomain = positive(opts, "maxdomainsize", ShareStore.DEFAULT_MAX_DOMAIN);
    List<String> domains = new ArrayList<>();
    if (opts.get("publicdomain") != null) {
      for (String c : opts.get("publicdomain").split(",")) {
        if (c.isBlank()) continue;
        if (keyList.contains(c.trim())) {
          throw new SpuQueryException(c.trim(), "publicDomain column '" + c.trim() + "' is a join key: the joined table holds the"
              + " non-key columns only");
        }
        domains.add(c.trim());
      }
    }

    List<Dataset<Row>> persisted = new ArrayList<>();
    try {
      // 1. PSI between the key owners, on their own keys.
      for (JoinInput.Group g : List.of(lk, rk)) persisted.add(g.indexed().persist(StorageLevel.MEMORY_AND_DISK()));
      ArrayList<byte[]> lkeys = JoinKeys.collect(lk.indexed(), keyList);
      ArrayList<byte[]> rkeys = JoinKeys.collect(rk.indexed(), keyList);
      String session = "spu-join-" + UUID.randomUUID();
      List<JoinPsi.Input> inputs = new ArrayList<>();
      for (int p = 0; p < conf.parties(); p++) {
        if (p == lk.owner()) inputs.add(new JoinPsi.Input(rk.owner(), lkeys, keyList, session, psiBatch));
        else if (p == rk.owner()) inputs.add(new JoinPsi.Input(lk.owner(), rkeys, keyList, session, psiBatch));
        else inputs.add(JoinPsi.Input.none(keyList));
      }
      MpcRun<JoinPsi.Output> run = MpcRunner.run(spark, conf, inputs, new JoinPsi());
      JoinPsi.Output lo = run.output(lk.owner()), ro = run.output(rk.owner());
      if (lo.rows().length != ro.rows().length) {
        throw new IllegalStateException("secure_join: the key owners' joined row counts differ (" + lo.rows().length + " vs "
            + ro.rows().length + ")");
      }

      // 2. Every owner's rows in the joined order: kept privately, and secret-shared.
      long t0 = System.nanoTime();
      int m = lo.rows().length;
      Set<String> keySet = new HashSet<>(keyList);
      List<ShareStore.VerticalGroup> vgroups = new ArrayList<>();
      ObjectMapper om = new ObjectMapper();
      ObjectNode manifest = om.createObjectNode();
      manifest.put("rows", m);
      ArrayNode mg = manifest.putArray("groups");
      int g = 0;
      for (JoinInput side : List.of(left, right)) {
        int[] sel = side == left ? lo.rows() : ro.rows();
        for (JoinInput.Group grp : side.groups()) {
          Dataset<Row> aligned = align(spark, grp.indexed(), sel, segmentRows).persist(StorageLevel.MEMORY_AND_DISK());
          persisted.add(aligned);
          String folder = "private-g" + g + "-party-" + grp.owner();
          aligned.write().mode("overwrite").parquet(new Path(path, folder).toString());
          List<String> secret = new ArrayList<>();
          for (String c : grp.secretColumns()) if (!keySet.contains(c)) secret.add(c);
          ObjectNode gj = mg.addObject();
          gj.put("owner", grp.owner());
          gj.put("folder", folder);
          ArrayNode pc = gj.putArray("columns");
          grp.privateColumns().forEach(pc::add);
          ArrayNode sc = gj.putArray("secret");
          secret.forEach(sc::add);
          g++;
          if (secret.isEmpty()) continue; // an owner with only key columns contributes no group
          Dataset<Row> cols = aligned.select(secret.stream().map(c -> aligned.col(JoinKeys.quote(c))).toArray(Column[]::new));
          vgroups.add(new ShareStore.VerticalGroup(grp.owner(), cols,
              SecretTableSchema.fromSpark(cols.schema(), grp.owner(), conf.fractionBits(), Set.of())));
        }
      }
      if (vgroups.isEmpty()) {
        throw new SpuQueryException(keyList.get(0), "secure_join: neither side has a column besides the keys " + keyList
            + ": the joined table would have no columns");
      }
      long rows = ShareStore.writeVertical(spark, path, conf, vgroups, domains, maxDomain, segmentRows);
      writeManifest(path, om, manifest);
      double writeSecs = (System.nanoTime() - t0) / 1e9;
      return new JoinReport(path, lk.owner(), rk.owner(), lkeys.size(), rkeys.size(), lo.ownKeys(), ro.ownKeys(), lo.intersection(),
          rows, run.seconds(), lo.bytesSent() + ro.bytesSent(), writeSecs, run.where());
    } finally {
      for (Dataset<Row> d : persisted) d.unpersist();
    }
  }

  /** The group of {@code side} that holds every key column in plaintext. */
  static JoinInput.Group keyOwner(JoinInput side, List<String> keys) {
    if (keys.isEmpty()) throw new SpuQueryException("secure_join needs at least one key column");
    for (JoinInput.Group g : side.groups()) if (g.privateColumns().containsAll(keys)) return g;
    for (String k : keys) {
      boolean any = side.groups().stream().anyMatch(g -> g.privateColumns().contains(k));
      if (!any) {
        List<String> all = new ArrayList<>();
        side.groups().forEach(g -> all.addAll(g.privateColumns()));
        throw new SpuQueryException(k, "join key column '" + k + "' is not in " + side.describe() + " (columns: " + String.join(", ",
            all) + ")");
      }
    }
    StringBuilder who = new StringBuilder();
    for (String k : keys) {
      for (JoinInput.Group g : side.groups()) {
        if (g.privateColumns().contains(k)) {
          who.append(who.length() == 0 ? "" : ", ").append(k).append(": party ").append(g.owner());
          break;
        }
      }
    }
    throw new SpuQueryException(keys.get(0), "the join keys " + keys + " of " + side.describe() + " are held by different parties ("
        + who + "): a chained secure_join needs every key column held in plaintext by one party");
  }

  /**
   * {@code indexed}'s rows in the joined order: joined row k is row {@code sel[k]} (a row may
   * repeat, 1:N). The result has {@code indexed}'s columns less {@link JoinKeys#ROW}, then
   * {@link JoinInput#POS} = k; its Spark partition s holds exactly rows [s * segmentRows, (s + 1) *
   * segmentRows) in order, which is what {@link ShareStore#writeVertical} lines up across owners.
   */
  static Dataset<Row> align(SparkSession spark, Dataset<Row> indexed, int[] sel, int segmentRows) {
    int m = sel.length;
    int segments = Math.max(1, (int) ((m + (long) segmentRows - 1) / segmentRows));
    // Inverse of sel as CSR: the joined positions of row r are pos[off[r] .. off[r + 1]).
    int maxRow = 0;
    for (int r : sel) maxRow = Math.max(maxRow, r + 1);
    int[] off = new int[maxRow + 1];
    for (int r : sel) off[r + 1]++;
    for (int r = 0; r < maxRow; r++) off[r + 1] += off[r];
    int[] fill = java.util.Arrays.copyOf(off, maxRow);
    int[] pos = new int[m];
    for (int k = 0; k < m; k++) pos[fill[sel[k]]++] = k;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<int[][]> inv = jsc.broadcast(new int[][] {off, pos});
    StructType in = indexed.schema();
    int rowCol = in.fieldIndex(JoinKeys.ROW);
    StructType outSchema = new StructType();
    for (StructField f : in.fields()) if (!f.name().equals(JoinKeys.ROW)) outSchema = outSchema.add(f);
    outSchema = outSchema.add(JoinInput.POS, DataTypes.LongType, false);
    int width = in.size() - 1;
    JavaRDD<Row> rows = indexed.javaRDD().flatMapToPair(row -> {
      long r = row.getLong(rowCol);
      int[] o = inv.value()[0], p = inv.value()[1];
      if (r >= o.length - 1) return Collections.<Tuple2<Integer, Row>>emptyIterator();
      List<Tuple2<Integer, Row>> out = new ArrayList<>(o[(int) r + 1] - o[(int) r]);
      for (int i = o[(int) r]; i < o[(int) r + 1]; i++) {
        Object[] v = new Object[width + 1];
        int j = 0;
        for (int c = 0; c < row.size(); c++) if (c != rowCol) v[j++] = row.get(c);
        v[width] = (long) p[i];
        out.add(new Tuple2<>(p[i] / segmentRows, RowFactory.create(v)));
      }
      return out.iterator();
    }).partitionBy(new HashPartitioner(segments)).values().mapPartitions(it -> {
      List<Row> part = new ArrayList<>();
      it.forEachRemaining(part::add);
      part.sort((a, b) -> Long.compare(a.getLong(width), b.getLong(width)));
      Iterator<Row> sorted = part.iterator();
      return sorted;
    }, true);
    return spark.createDataFrame(rows, outSchema);
  }

  private static String outputPath(SparkSession spark, Map<String, String> opts) {
    String path = opts.get("path");
    if (path == null) {
      String local = spark.conf().getOption(JOIN_DIR).isDefined() ? spark.conf().get(JOIN_DIR)
          : spark.sparkContext().getConf().get("spark.local.dir", System.getProperty("java.io.tmpdir"));
      return new File(local.split(",")[0], "spu-join-" + UUID.randomUUID()).getAbsolutePath();
    }
    Path p = new Path(path);
    FileSystem fs = JoinInput.fs(p);
    try {
      if (fs.exists(p) && fs.listStatus(p).length > 0) {
        if (!"overwrite".equalsIgnoreCase(opts.getOrDefault("mode", ""))) {
          throw new SpuQueryException("secure_join: the output path " + path + " is not empty: pass mode=overwrite to replace it");
        }
        fs.delete(p, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the secure_join output at " + path, e);
    }
    return path;
  }

  private static void writeManifest(String path, ObjectMapper om, ObjectNode manifest) {
    Path p = new Path(path, JoinInput.MANIFEST);
    try (OutputStream out = JoinInput.fs(p).create(p, true)) {
      out.write(om.writerWithDefaultPrettyPrinter().writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p, e);
    }
  }

  private static int positive(Map<String, String> opts, String key, int dflt) {
    String v = opts.get(key);
    if (v == null) return dflt;
    try {
      int x = Integer.parseInt(v.trim());
      if (x > 0) return x;
    } catch (NumberFormatException ignored) {
      // fall through to the error
    }
    throw new SpuQueryException("secure_join option " + key + " must be a positive integer, got '" + v + "'");
  }
}

package org.sparkspu.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.horizontal.HorizontalTable;
import org.sparkspu.spark.join.JoinInput;
import org.sparkspu.spark.join.JoinReport;
import org.sparkspu.spark.join.SecureJoin;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.sql.CatalystBridge;
import org.sparkspu.spark.sql.SpuDataSource;
import org.sparkspu.spark.sql.SpuQueryLog;
import org.sparkspu.spark.sql.SpuScan;
import org.sparkspu.spark.sql.SpuSettings;
import org.sparkspu.spark.sql.SpuTableRegistry;

/**
 * A table no single party may see, queried with DataFrame-like operations whose result only leaves
 * MPC through {@link #reveal}: a party's own table ({@link #own}), a horizontal union of parties'
 * tables ({@link #union}), a secret-shared table ({@link #read}), the secret result of a secure join
 * of two parties' tables ({@link #join}, {@link #secureJoin}), or any {@link SecureTable}
 * ({@link #of}). Immutable; Java and Scala friendly.
 *
 * <pre>{@code
 * SecureFrame sales = SecureFrame.union(SecureFrame.own(spark, 0, salesA), SecureFrame.own(spark, 1, salesB));
 * Dataset<Row> byRegion = sales.filter("amount > 10")
 *     .groupBy("region")
 *     .agg(SecureAgg.sum("amount"), SecureAgg.avg(functions.expr("amount * rate")).as("x"), SecureAgg.countAll())
 *     .reveal();                       // ordinary DataFrame of the revealed rows
 * System.out.println(sales.groupBy("region").agg(SecureAgg.sum("amount")).explain());
 * }</pre>
 *
 * <p>Each frame is the spu data source's relation plus Spark operations; Spark pushes them into the
 * spu scan, which runs them in MPC as one secure query (filter, group-by, aggregates), so SQL over
 * {@link #createOrReplaceTempView} and this API share one code path. What is revealed: the group
 * keys and aggregates of groups with at least spark.spu.minGroupSize rows, to the receiving parties;
 * operations after the aggregation (filter, orderBy, select) run in plaintext on those revealed
 * rows. A frame that would reveal rows (no aggregation, or an operation that cannot run in MPC) is
 * refused with a {@link SpuQueryException} naming the column.
 */
public final class SecureFrame {
  /** Builds the horizontal table of a union (tests replace it to run without MPC). */
  static BiFunction<String, List<Dataset<Row>>, SecureTable> horizontalTables = HorizontalTable::new;

  private final SparkSession spark;
  private final Source source;
  private final List<UnaryOperator<Dataset<Row>>> ops;
  private final List<String> steps;
  private final AtomicReference<String> lastReveal = new AtomicReference<>();
  private final JoinReport joinReport;

  private SecureFrame(SparkSession spark, Source source, List<UnaryOperator<Dataset<Row>>> ops, List<String> steps) {
    this(spark, source, ops, steps, null);
  }

  private SecureFrame(SparkSession spark, Source source, List<UnaryOperator<Dataset<Row>>> ops, List<String> steps,
      JoinReport joinReport) {
    this.spark = spark;
    this.source = source;
    this.ops = List.copyOf(ops);
    this.steps = List.copyOf(steps);
    this.joinReport = joinReport;
  }

  /** Where a frame's rows are: parties' own tables (made one horizontal table on first use), a registered table or a share store. */
  private static final class Source {
    private final TreeMap<Integer, Dataset<Row>> owned;
    private final String path;
    private String table;

    Source(TreeMap<Integer, Dataset<Row>> owned, String table, String path) {
      this.owned = owned;
      this.table = table;
      this.path = path;
    }

    synchronized DataFrameReader reader(SparkSession spark) {
      DataFrameReader r = spark.read().format(SpuDataSource.SHORT_NAME);
      if (path != null) return r.option("path", path);
      if (table == null) table = horizontal(spark, owned);
      return r.option(SpuTableRegistry.OPTION, table);
    }

    String describe() {
      if (path != null) return "secret table " + path;
      if (table != null) return "table " + table;
      return "horizontal union of parties " + owned.keySet();
    }
  }

  // ---- sources

  /**
   * Party {@code party}'s own table: its rows stay with the party (each party filters and
   * pre-aggregates its own rows; only partials enter MPC). Combine parties with {@link #union}; a
   * frame of one party alone is a horizontal table where the other parties hold no rows.
   */
  public static SecureFrame own(SparkSession spark, int party, Dataset<Row> df) {
    SpuSettings.checkParty(party, SpuSettings.conf(spark).parties(), "SecureFrame.own");
    TreeMap<Integer, Dataset<Row>> owned = new TreeMap<>();
    owned.put(party, df);
    return new SecureFrame(spark, new Source(owned, null, null), List.of(), List.of("own(party " + party + ")"));
  }

  /**
   * The horizontal union of parties' own tables (same column names and types, each from {@link
   * #own}, before any operation). A party given twice contributes the union of its tables.
   */
  public static SecureFrame union(SecureFrame first, SecureFrame second, SecureFrame... more) {
    List<SecureFrame> all = new ArrayList<>(List.of(first, second));
    all.addAll(Arrays.asList(more));
    TreeMap<Integer, Dataset<Row>> owned = new TreeMap<>();
    StructType schema = null;
    for (SecureFrame f : all) {
      if (f.source.owned == null || !f.ops.isEmpty() || f.source.table != null) {
        throw new SpuQueryException("union takes parties' own tables (SecureFrame.own) before any operation; got " + f.describe());
      }
      if (f.spark != first.spark) throw new SpuQueryException("union of SecureFrames of different SparkSessions");
      for (Map.Entry<Integer, Dataset<Row>> e : f.source.owned.entrySet()) {
        schema = sameSchema(schema, e.getValue().schema(), e.getKey());
        owned.merge(e.getKey(), e.getValue(), Dataset::unionByName);
      }
    }
    List<String> steps = List.of("union(parties " + owned.keySet() + ")");
    return new SecureFrame(first.spark, new Source(owned, null, null), List.of(), steps);
  }

  /** This frame's parties' tables and {@code other}'s, as {@link #union(SecureFrame, SecureFrame, SecureFrame...)}. */
  public SecureFrame union(SecureFrame other) {
    return union(this, other);
  }

  /** The secret-shared table at {@code path} (written with {@code df.write().format("spu").option("party", p).save(path)}). */
  public static SecureFrame read(SparkSession spark, String path) {
    return new SecureFrame(spark, new Source(null, null, path), List.of(), List.of("read(" + path + ")"));
  }

  /** Any secure table (registered in this JVM under a new name). */
  public static SecureFrame of(SparkSession spark, SecureTable table) {
    String name = SpuTableRegistry.register(table);
    return new SecureFrame(spark, new Source(null, name, null), List.of(), List.of(table.layout() + " " + table.describe()));
  }

  // ---- secure join

  /**
   * secure_join: the inner join of this frame and {@code right} on the equally named key columns,
   * as a secret table (every non-key column of both sides secret-shared, rows aligned) on which
   * every secure aggregate, secret filter and group-by works. Each side is one party's own table
   * ({@link #own}) or the result of an earlier join (chained joins: the keys must then be columns
   * one owner of that result holds). Leakage, deployment and options ("path", "publicDomain",
   * "maxDomainSize", "segmentRows", "psiBatchSize", "mode"): {@link SecureJoin}. In short: the key
   * owners learn which of their rows join (PSI) and the set sizes; for 1:N joins the multiplicity
   * of each matched key; every party the joined row count and the public domains asked for.
   *
   * @throws SpuQueryException naming the column for mismatched or unsupported keys, for an N:M
   *     join (both sides repeat a key), or when a side is not one party's table
   */
  public SecureFrame join(SecureFrame right, List<String> keys, String how, Map<String, String> options) {
    return secureJoin(this, right, keys, how, options);
  }

  /** {@link #join(SecureFrame, List, String, Map)} with default options. */
  public SecureFrame join(SecureFrame right, List<String> keys, String how) {
    return join(right, keys, how, Map.of());
  }

  /** Inner {@link #join(SecureFrame, List, String, Map)} on {@code keys}. */
  public SecureFrame join(SecureFrame right, String... keys) {
    return join(right, Arrays.asList(keys), "inner", Map.of());
  }

  /**
   * The join on {@code leftKeys.get(i) = rightKeys.get(i)}, keys named differently on the two sides
   * (e.g. l_orderkey = o_orderkey); otherwise as {@link #join(SecureFrame, List, String, Map)}.
   */
  public SecureFrame join(SecureFrame right, List<String> leftKeys, List<String> rightKeys, String how, Map<String, String> options) {
    return secureJoin(this, right, leftKeys, rightKeys, how, options);
  }

  /** secure_join(left, right, keys, how): see {@link #join(SecureFrame, List, String, Map)}. */
  public static SecureFrame secureJoin(SecureFrame left, SecureFrame right, List<String> keys, String how, Map<String, String> options) {
    return secureJoin(left, right, keys, keys, how, options);
  }

  /** secure_join(left, right, leftKeys = rightKeys, how): see {@link #join(SecureFrame, List, List, String, Map)}. */
  public static SecureFrame secureJoin(SecureFrame left, SecureFrame right, List<String> leftKeys, List<String> rightKeys, String how,
      Map<String, String> options) {
    if (left.spark != right.spark) throw new SpuQueryException("secure_join of SecureFrames of different SparkSessions");
    JoinReport r = SecureJoin.join(left.spark, left.joinInput("left"), right.joinInput("right"), leftKeys, rightKeys, how, options);
    List<String> on = new ArrayList<>();
    for (int i = 0; i < leftKeys.size(); i++) {
      on.add(leftKeys.get(i).equals(rightKeys.get(i)) ? leftKeys.get(i) : leftKeys.get(i) + " = " + rightKeys.get(i));
    }
    return new SecureFrame(left.spark, new Source(null, null, r.path()), List.of(), List.of("secure_join(" + String.join(", ", on)
        + ") -> read(" + r.path() + ")"), r);
  }

  /** The report (sizes, PSI and share-writing seconds, output path) of the join that made this frame, or null. */
  public JoinReport joinReport() {
    return joinReport;
  }

  private JoinInput joinInput(String side) {
    if (!ops.isEmpty()) {
      throw new SpuQueryException("secure_join takes a party's own table or a join's output before any operation; the " + side
          + " side is " + describe() + " (filter each party's DataFrame before SecureFrame.own)");
    }
    if (source.owned != null && source.owned.size() == 1 && source.table == null) {
      Map.Entry<Integer, Dataset<Row>> e = source.owned.firstEntry();
      return JoinInput.owned(e.getKey(), e.getValue());
    }
    if (source.path != null && JoinInput.isJoinOutput(source.path)) return JoinInput.joined(spark, source.path);
    throw new SpuQueryException("secure_join: the " + side + " side must be one party's table (SecureFrame.own) or a secure_join"
        + " output; got " + describe());
  }

  private static StructType sameSchema(StructType expected, StructType got, int party) {
    if (expected == null) return got;
    for (StructField f : expected.fields()) {
      int i = Arrays.asList(got.fieldNames()).indexOf(f.name());
      if (i < 0) throw new SpuQueryException(f.name(), "union: party " + party + "'s table has no column " + f.name());
      if (!got.fields()[i].dataType().equals(f.dataType())) {
        throw new SpuQueryException(f.name(), "union: column " + f.name() + " is " + got.fields()[i].dataType().sql() + " in party " + party
            + "'s table but " + f.dataType().sql() + " in another party's");
      }
    }
    if (got.size() != expected.size()) {
      for (String n : got.fieldNames()) {
        if (!Arrays.asList(expected.fieldNames()).contains(n)) {
          throw new SpuQueryException(n, "union: party " + party + "'s table has column " + n + " that another party's lacks");
        }
      }
    }
    return expected;
  }

  private static String horizontal(SparkSession spark, TreeMap<Integer, Dataset<Row>> owned) {
    SpuConf conf = SpuSettings.conf(spark);
    StructType schema = owned.firstEntry().getValue().schema();
    List<Dataset<Row>> parties = new ArrayList<>();
    for (int p = 0; p < conf.parties(); p++) {
      Dataset<Row> df = owned.get(p);
      parties.add(df != null ? df : spark.createDataFrame(List.of(), schema));
    }
    for (int p : owned.keySet()) SpuSettings.checkParty(p, conf.parties(), "SecureFrame.own");
    String name = SpuTableRegistry.newName("horizontal");
    SpuTableRegistry.register(name, horizontalTables.apply(name, parties));
    return name;
  }

  // ---- operations

  SecureFrame then(String step, UnaryOperator<Dataset<Row>> op) {
    List<UnaryOperator<Dataset<Row>>> o = new ArrayList<>(ops);
    o.add(op);
    List<String> s = new ArrayList<>(steps);
    s.add(step);
    return new SecureFrame(spark, source, o, s);
  }

  /**
   * Rows where the SQL condition holds. Before the aggregation it runs in MPC (comparisons,
   * AND/OR/NOT, IN, IS [NOT] NULL, + - * over columns and constants); after it, on revealed rows.
   */
  public SecureFrame filter(String sqlCondition) {
    return then("filter(" + sqlCondition + ")", df -> df.filter(sqlCondition));
  }

  /** As {@link #filter(String)}. */
  public SecureFrame filter(Column condition) {
    return then("filter(" + condition + ")", df -> df.filter(condition));
  }

  /** As {@link #filter(String)}. */
  public SecureFrame where(String sqlCondition) {
    return filter(sqlCondition);
  }

  /**
   * Columns or expressions (+ - * over columns and constants) for a later aggregation; a frame
   * that reveals them without aggregating is refused.
   */
  public SecureFrame select(Column... columns) {
    return then("select(" + Arrays.toString(columns) + ")", df -> df.select(columns));
  }

  /** As {@link #select(Column...)}, by column name. */
  public SecureFrame select(String... columns) {
    return select(Arrays.stream(columns).map(functions::col).toArray(Column[]::new));
  }

  /** Adds or replaces a column (an expression for a later aggregation). */
  public SecureFrame withColumn(String name, Column expr) {
    return then("withColumn(" + name + ")", df -> df.withColumn(name, expr));
  }

  /** Groups by plain columns (public or party-owned keys). */
  public SecureGroupedFrame groupBy(String... columns) {
    return groupBy(Arrays.stream(columns).map(functions::col).toArray(Column[]::new));
  }

  public SecureGroupedFrame groupBy(Column... columns) {
    return new SecureGroupedFrame(this, columns);
  }

  /** Aggregates of the whole (filtered) table: one row, NULLs if fewer than spark.spu.minGroupSize rows. */
  public SecureFrame agg(Column aggregate, Column... more) {
    return groupBy(new Column[0]).agg(aggregate, more);
  }

  /** Orders the revealed rows (after the aggregation). */
  public SecureFrame orderBy(String... columns) {
    Column[] c = Arrays.stream(columns).map(functions::col).toArray(Column[]::new);
    return then("orderBy(" + String.join(", ", columns) + ")", df -> df.orderBy(c));
  }

  // ---- results

  /** The Spark DataFrame of this frame: the spu relation and the operations, not yet run. */
  private Dataset<Row> dataFrame(int[] receivers, String tag) {
    DataFrameReader r = source.reader(spark);
    if (receivers != null) r = r.option(SpuSettings.REVEAL_TO_OPTION, receiversText(receivers));
    if (tag != null) r = r.option(SpuQueryLog.TAG_OPTION, tag);
    Dataset<Row> df = r.load();
    for (UnaryOperator<Dataset<Row>> op : ops) df = op.apply(df);
    return df;
  }

  private String receiversText(int[] parties) {
    int n = SpuSettings.conf(spark).parties();
    StringBuilder sb = new StringBuilder();
    for (int p : parties) sb.append(sb.length() == 0 ? "" : ",").append(SpuSettings.checkParty(p, n, "reveal"));
    return sb.toString();
  }

  /** Runs the query in MPC and reveals it to the receivers of spark.spu.revealTo (default: every party). */
  public Dataset<Row> reveal() {
    return reveal(new int[0]);
  }

  /**
   * Runs the query in MPC now and reveals its result to {@code parties} (none given: every party);
   * returns the revealed rows as an ordinary DataFrame. A party that does not receive the result
   * gets an empty DataFrame. Leakage: the group keys and aggregates of the groups with at least
   * spark.spu.minGroupSize rows (and so which groups are that large).
   *
   * @throws SpuQueryException if the frame would reveal rows (no aggregation) or cannot run in MPC, naming the column
   */
  public Dataset<Row> reveal(int... parties) {
    String tag = UUID.randomUUID().toString();
    Dataset<Row> df = dataFrame(parties.length == 0 ? null : parties, tag);
    List<Row> rows = df.collectAsList();
    lastReveal.set(tag);
    return spark.createDataFrame(rows, df.schema());
  }

  /**
   * The plan without running it: for each secure query, the query, what is revealed to whom, the
   * table's compiled MPC program (levels, rounds, bytes); then the plaintext steps Spark runs on
   * the revealed rows.
   *
   * @throws SpuQueryException if the frame cannot run in MPC or would reveal rows (no aggregation)
   */
  public String explain() {
    Dataset<Row> df = dataFrame(null, null);
    List<SpuScan> scans = CatalystBridge.spuScans(df);
    StringBuilder sb = new StringBuilder("== SecureFrame: ").append(String.join(" -> ", steps)).append(" ==\n");
    if (scans.isEmpty()) {
      sb.append("no secure query over a spu table\n");
    }
    for (SpuScan s : scans) sb.append(s.explain());
    if (!scans.isEmpty()) {
      sb.append("== plaintext Spark plan over the revealed rows ==\n").append(CatalystBridge.optimizedPlanText(df));
    }
    return sb.toString();
  }

  /** The profile (rounds, bytes per party, MPC and local time, what was revealed) of this frame's last {@link #reveal}. */
  public QueryProfile profile() {
    String tag = lastReveal.get();
    QueryProfile p = tag == null ? null : SpuQueryLog.profile(tag);
    if (p == null) throw new IllegalStateException("no reveal() of this SecureFrame has run yet");
    return p;
  }

  /**
   * Registers the frame as a temporary view, for SQL such as {@code SELECT region,
   * secure_sum(amount) FROM name GROUP BY region}; the SQL runs in MPC as {@link #reveal} does.
   */
  public void createOrReplaceTempView(String name) {
    dataFrame(null, null).createOrReplaceTempView(name);
  }

  /** The column names and types (of the table, or of the aggregated result). */
  public StructType schema() {
    return dataFrame(null, null).schema();
  }

  public SparkSession sparkSession() {
    return spark;
  }

  private String describe() {
    return source.describe() + (steps.size() > 1 ? " -> " + String.join(" -> ", steps.subList(1, steps.size())) : "");
  }

  @Override
  public String toString() {
    return "SecureFrame[" + describe() + "]";
  }
}

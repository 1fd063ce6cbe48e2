package org.sparkspu.spark.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.join.JoinReport;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.sql.SpuQueryLog;

/**
 * TPC-H lineitem at one scale factor split among the parties and registered once per layout, and
 * one TPC-H query run in one layout, timed as a user sees it ({@code spark.sql(..).collectAsList()}).
 * Shared by the demo ({@link TpchDemo}) and the benchmark suite {@code bench/run tpch}.
 *
 * <p>Views: {@code lineitem_plain} (plaintext Spark over the union of the parties' rows, the
 * reference), {@code lineitem_horizontal} (each party's own rows, {@link SecureFrame#own}) and, when
 * the secret layout was prepared, {@code lineitem_secret} (the rows secret-shared with
 * {@code format("spu")} into a temporary share store, GROUP BY domain l_returnflag, l_linestatus).
 * The vertical layout (Q12) is TPC-H's own split of the data between organisations: party 0 holds
 * all of lineitem (the union of the slices), party 1 holds orders, each contributing the columns
 * Q12 reads; {@code lineitem_orders_plain} is plaintext Spark's join of the two on the order key,
 * {@code lineitem_orders_vertical} secure_join's secret table of the same join (ECDH-PSI between
 * parties 0 and 1, every non-key column secret-shared among all parties, GROUP BY domain l_shipmode).
 * Adding a layout: a name in {@link #LAYOUTS} and {@link #layouts}, its preparation in {@link #prepare}.
 */
public final class TpchWorkload implements AutoCloseable {
  /** The secure layouts, in the order the demo and the benchmark run them. */
  public static final List<String> LAYOUTS = List.of("horizontal", "secret", "vertical");

  /** The layouts query {@code query} runs in: lineitem alone in horizontal and secret, Q12 (lineitem and orders) vertical. */
  public static List<String> layouts(String query) {
    return query.equalsIgnoreCase("q12") ? List.of("vertical") : List.of("horizontal", "secret");
  }

  /** One query's answer, its wall time in seconds and (secure layouts) the MPC profile. */
  public record Run(List<Row> rows, double seconds, QueryProfile profile) {}

  private final SparkSession spark;
  private final double sf;
  private final long[] rowsPerParty;
  private final List<Dataset<Row>> slices;
  private final double generateSeconds;
  private final double writeSeconds;
  private final Path store;
  private final Vertical vertical;

  /** The vertical layout's data: orders (party 1) and the secure join's output and report. */
  private record Vertical(Dataset<Row> orders, long ordersRows, Path dir, JoinReport join) {}

  private TpchWorkload(SparkSession spark, double sf, long[] rowsPerParty, List<Dataset<Row>> slices, double generateSeconds,
      double writeSeconds, Path store, Vertical vertical) {
    this.spark = spark;
    this.sf = sf;
    this.rowsPerParty = rowsPerParty;
    this.slices = slices;
    this.generateSeconds = generateSeconds;
    this.writeSeconds = writeSeconds;
    this.store = store;
    this.vertical = vertical;
  }

  /**
   * A local Spark application as the demo runs it: the embedded default (3 parties, aby3; only
   * spark.plugins set), no UI, Spark's log at ERROR.
   */
  public static SparkSession session(String appName) {
    // Spark's INFO lines would bury the results.
    org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
    SparkSession spark = SparkSession.builder().master("local[*]").appName(appName)
        .config("spark.plugins", "org.sparkspu.spark.SpuPlugin")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    return spark;
  }

  /** {@link #prepare(SparkSession, double, int, int, java.util.Collection)} of horizontal and, if {@code secret}, secret. */
  public static TpchWorkload prepare(SparkSession spark, double sf, int parties, int partitionsPerParty, boolean secret)
      throws IOException {
    return prepare(spark, sf, parties, partitionsPerParty, secret ? List.of("horizontal", "secret") : List.of("horizontal"));
  }

  /**
   * Generates lineitem at {@code sf} split among {@code parties} (each party's slice cached in
   * Spark, {@code partitionsPerParty} generator tasks each) and registers the plaintext and
   * horizontal views; for "secret" in {@code layouts}, secret-shares every party's rows into a new
   * temporary store; for "vertical", generates orders as party 1's table and runs the secure join
   * of party 0's lineitem with it (timed: {@link #joinReport}).
   */
  public static TpchWorkload prepare(SparkSession spark, double sf, int parties, int partitionsPerParty,
      java.util.Collection<String> layouts) throws IOException {
    for (String l : layouts) {
      if (!LAYOUTS.contains(l)) throw new IllegalArgumentException("unknown layout '" + l + "', expected some of " + LAYOUTS);
    }
    boolean secret = layouts.contains("secret");
    List<Dataset<Row>> slices = new ArrayList<>();
    List<SecureFrame> owned = new ArrayList<>();
    long[] rows = new long[parties];
    long t0 = System.nanoTime();
    for (int p = 0; p < parties; p++) {
      Dataset<Row> li = TpchData.lineitem(spark, sf, p, parties, partitionsPerParty).cache();
      slices.add(li);
      owned.add(SecureFrame.own(spark, p, li));
    }
    Dataset<Row> all = slices.get(0);
    for (int p = 1; p < parties; p++) all = all.union(slices.get(p));
    all.count(); // one job fills every party's cache, its tasks on all cores
    for (int p = 0; p < parties; p++) rows[p] = slices.get(p).count();
    double generate = (System.nanoTime() - t0) / 1e9;
    all.createOrReplaceTempView("lineitem_plain");
    SecureFrame.union(owned.get(0), owned.get(1), owned.subList(2, parties).toArray(SecureFrame[]::new))
        .createOrReplaceTempView("lineitem_horizontal");
    Path store = null;
    double write = 0;
    spark.catalog().dropTempView("lineitem_secret");
    if (secret) {
      store = Files.createTempDirectory("spu-lineitem");
      long t1 = System.nanoTime();
      for (int p = 0; p < parties; p++) {
        // Each party secret-shares its own rows into the parties' share folders.
        slices.get(p).write().format("spu").option("party", p).option("publicDomain", "l_returnflag,l_linestatus")
            .mode(p == 0 ? "overwrite" : "append").save(store.toString());
      }
      write = (System.nanoTime() - t1) / 1e9;
      spark.read().format("spu").load(store.toString()).createOrReplaceTempView("lineitem_secret");
    }
    Vertical vertical = layouts.contains("vertical") ? vertical(spark, sf, Math.max(1, partitionsPerParty), all) : null;
    return new TpchWorkload(spark, sf, rows, slices, generate, write, store, vertical);
  }

  /** Q12's columns of each side (a query engine prunes the rest; every joined column costs sharing and storage). */
  static final List<String> Q12_LINEITEM = List.of("l_orderkey", "l_shipmode", "l_commitdate", "l_receiptdate", "l_shipdate");
  static final List<String> Q12_ORDERS = List.of("o_orderkey", "o_orderpriority");

  /**
   * Orders at party 1, all of lineitem at party 0, both views of their join on the order key; each
   * party contributes the columns Q12 reads.
   */
  private static Vertical vertical(SparkSession spark, double sf, int partitions, Dataset<Row> allLineitem) throws IOException {
    Dataset<Row> allOrders = TpchData.orders(spark, sf, partitions).cache();
    long ordersRows = allOrders.count();
    Dataset<Row> lineitem = allLineitem.selectExpr(Q12_LINEITEM.toArray(new String[0]));
    Dataset<Row> orders = allOrders.selectExpr(Q12_ORDERS.toArray(new String[0]));
    lineitem.join(orders, lineitem.col("l_orderkey").equalTo(orders.col("o_orderkey"))).createOrReplaceTempView(view("q12", "plain"));
    Path dir = Files.createTempDirectory("spu-q12");
    SecureFrame joined = SecureFrame.own(spark, 0, lineitem).join(SecureFrame.own(spark, 1, orders), List.of("l_orderkey"),
        List.of("o_orderkey"), "inner", java.util.Map.of("path", dir.resolve("lineitem_orders").toString(), "publicDomain", "l_shipmode"));
    joined.createOrReplaceTempView(view("q12", "vertical"));
    return new Vertical(orders, ordersRows, dir, joined.joinReport());
  }

  /** The view of {@code layout} ("plain" or one of {@link #LAYOUTS}) for the lineitem-only queries. */
  public static String view(String layout) {
    return "lineitem_" + layout;
  }

  /** The view {@code query} reads in {@code layout} ("plain" or one of {@link #layouts(String)}). */
  public static String view(String query, String layout) {
    return query.equalsIgnoreCase("q12") ? "lineitem_orders_" + layout : view(layout);
  }

  /** Plaintext Spark's answer to {@code query} (one of {@link TpchQueries#NAMES}) over the union of the parties' rows, timed. */
  public Run plain(String query) {
    if (query.equalsIgnoreCase("q12") && vertical == null) throw new IllegalStateException("q12 needs the vertical layout prepared");
    return timed(TpchQueries.sql(query, view(query, "plain"), false), false);
  }

  /** The secure answer to {@code query} in {@code layout}, timed, with the query's profile. */
  public Run secure(String query, String layout) {
    if (!layouts(query).contains(layout)) {
      throw new IllegalArgumentException("query " + query + " runs in the layouts " + layouts(query) + ", not '" + layout + "'");
    }
    if (layout.equals("secret") && store == null) throw new IllegalStateException("the secret layout was not prepared");
    if (layout.equals("vertical") && vertical == null) throw new IllegalStateException("the vertical layout was not prepared");
    return timed(TpchQueries.sql(query, view(query, layout), true), true);
  }

  /** The vertical layout's secure join (sizes, PSI and share-writing seconds), or null when it was not prepared. */
  public JoinReport joinReport() {
    return vertical == null ? null : vertical.join();
  }

  /** Rows of orders (party 1's table in the vertical layout; 0 when it was not prepared). */
  public long ordersRows() {
    return vertical == null ? 0 : vertical.ordersRows();
  }

  private Run timed(String sql, boolean secure) {
    QueryProfile before = SpuQueryLog.last();
    long t0 = System.nanoTime();
    List<Row> rows = spark.sql(sql).collectAsList();
    double secs = (System.nanoTime() - t0) / 1e9;
    QueryProfile prof = secure ? SpuQueryLog.last() : null;
    if (secure && prof == before) prof = null; // the query recorded no profile of its own
    return new Run(rows, secs, prof);
  }

  public double scaleFactor() {
    return sf;
  }

  /** Rows each party holds. */
  public long[] rowsPerParty() {
    return rowsPerParty.clone();
  }

  public long rows() {
    long n = 0;
    for (long r : rowsPerParty) n += r;
    return n;
  }

  /** Seconds to generate and cache the parties' slices. */
  public double generateSeconds() {
    return generateSeconds;
  }

  /** Seconds to write the secret-shared store (0 without the secret layout). */
  public double writeSeconds() {
    return writeSeconds;
  }

  /** Unpersists the cached tables, drops the views and deletes the share stores. */
  @Override
  public void close() {
    for (Dataset<Row> s : slices) s.unpersist(true);
    for (String v : List.of("plain", "horizontal", "secret")) spark.catalog().dropTempView(view(v));
    for (String v : List.of("plain", "vertical")) spark.catalog().dropTempView(view("q12", v));
    if (vertical != null) {
      vertical.orders().unpersist(true);
      delete(vertical.dir());
    }
    if (store != null) delete(store);
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}

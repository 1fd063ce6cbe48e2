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
 * Adding a layout: a view name in {@link #LAYOUTS}, its preparation in {@link #prepare}.
 */
public final class TpchWorkload implements AutoCloseable {
  /** The secure layouts, in the order the demo and the benchmark run them. */
  public static final List<String> LAYOUTS = List.of("horizontal", "secret");

  /** One query's answer, its wall time in seconds and (secure layouts) the MPC profile. */
  public record Run(List<Row> rows, double seconds, QueryProfile profile) {}

  private final SparkSession spark;
  private final double sf;
  private final long[] rowsPerParty;
  private final List<Dataset<Row>> slices;
  private final double generateSeconds;
  private final double writeSeconds;
  private final Path store;

  private TpchWorkload(SparkSession spark, double sf, long[] rowsPerParty, List<Dataset<Row>> slices, double generateSeconds,
      double writeSeconds, Path store) {
    this.spark = spark;
    this.sf = sf;
    this.rowsPerParty = rowsPerParty;
    this.slices = slices;
    this.generateSeconds = generateSeconds;
    this.writeSeconds = writeSeconds;
    this.store = store;
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

  /**
   * Generates lineitem at {@code sf} split among {@code parties} (each party's slice cached in
   * Spark, {@code partitionsPerParty} generator tasks each), registers the plaintext and horizontal
   * views and, if {@code secret}, secret-shares every party's rows into a new temporary store.
   */
  public static TpchWorkload prepare(SparkSession spark, double sf, int parties, int partitionsPerParty, boolean secret)
      throws IOException {
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
    return new TpchWorkload(spark, sf, rows, slices, generate, write, store);
  }

  /** The view of {@code layout} ("plain" or one of {@link #LAYOUTS}). */
  public static String view(String layout) {
    return "lineitem_" + layout;
  }

  /** Plaintext Spark's answer to {@code query} ("q1", "q6") over the union of the parties' rows, timed. */
  public Run plain(String query) {
    return timed(TpchQueries.sql(query, view("plain"), false), false);
  }

  /** The secure answer to {@code query} in {@code layout}, timed, with the query's profile. */
  public Run secure(String query, String layout) {
    if (!LAYOUTS.contains(layout)) throw new IllegalArgumentException("unknown layout '" + layout + "', expected one of " + LAYOUTS);
    if (layout.equals("secret") && store == null) throw new IllegalStateException("the secret layout was not prepared");
    return timed(TpchQueries.sql(query, view(layout), true), true);
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

  /** Unpersists the slices, drops the views and deletes the share store. */
  @Override
  public void close() {
    for (Dataset<Row> s : slices) s.unpersist(true);
    for (String v : List.of("plain", "horizontal", "secret")) spark.catalog().dropTempView(view(v));
    if (store == null) return;
    try (Stream<Path> files = Files.walk(store)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete the share store " + store, e);
    }
  }
}

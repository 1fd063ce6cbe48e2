package org.sparkspu.spark.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.sql.SpuQueryLog;

/**
 * The main demo (README's first command): a local Spark application with 3 parties (aby3, the
 * embedded default: only spark.plugins is set). TPC-H lineitem (io.trino.tpch, scale factor 0.01 by
 * default) is split horizontally among the parties; Q1 and Q6 run as secure aggregates in both
 * layouts (horizontal: each party pre-aggregates its own rows; secret: the rows are secret-shared
 * with format("spu") and filtered and aggregated row by row in MPC), each printed beside plaintext
 * Spark's answer over the union of the parties' rows and the per-query profile.
 *
 * <p>Usage: TpchDemo [--sf 0.01]
 */
public final class TpchDemo {
  public static void main(String[] args) throws Exception {
    double sf = 0.01;
    for (int i = 0; i < args.length; i++) if (args[i].equals("--sf")) sf = Double.parseDouble(args[++i]);
    // Spark's INFO lines would bury the results.
    org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
    SparkSession spark = SparkSession.builder().master("local[*]").appName("spark-spu TPC-H demo")
        .config("spark.plugins", "org.sparkspu.spark.SpuPlugin")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    try {
      run(spark, sf);
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, double sf) throws Exception {
    int parties = 3;
    System.out.printf("spark-spu TPC-H demo: lineitem at SF %s split among %d parties (aby3, embedded default)%n", sf, parties);
    List<Dataset<Row>> slices = new ArrayList<>();
    List<SecureFrame> owned = new ArrayList<>();
    Path store = Files.createTempDirectory("spu-lineitem");
    for (int p = 0; p < parties; p++) {
      Dataset<Row> li = TpchData.lineitem(spark, sf, p, parties, 2).cache();
      System.out.printf("  party %d holds %,d lineitem rows%n", p, li.count());
      slices.add(li);
      owned.add(SecureFrame.own(spark, p, li));
      // Secret layout: each party secret-shares its own rows into the parties' share folders.
      li.write().format("spu").option("party", p).option("publicDomain", "l_returnflag,l_linestatus")
          .mode(p == 0 ? "overwrite" : "append").save(store.toString());
    }
    Dataset<Row> all = slices.get(0);
    for (int p = 1; p < parties; p++) all = all.union(slices.get(p));
    all.createOrReplaceTempView("lineitem_plain");
    SecureFrame.union(owned.get(0), owned.get(1), owned.get(2)).createOrReplaceTempView("lineitem_horizontal");
    spark.read().format("spu").load(store.toString()).createOrReplaceTempView("lineitem_secret");

    boolean allMatch = true;
    for (String q : List.of("Q1", "Q6")) {
      String plainSql = q.equals("Q1") ? TpchQueries.q1("lineitem_plain", false) : TpchQueries.q6("lineitem_plain", false);
      long t0 = System.nanoTime();
      List<Row> plain = spark.sql(plainSql).collectAsList();
      double plainSecs = (System.nanoTime() - t0) / 1e9;
      for (String layout : List.of("horizontal", "secret")) {
        String table = "lineitem_" + layout;
        String sql = q.equals("Q1") ? TpchQueries.q1(table, true) : TpchQueries.q6(table, true);
        long t1 = System.nanoTime();
        List<Row> secure = spark.sql(sql).collectAsList();
        double secs = (System.nanoTime() - t1) / 1e9;
        QueryProfile prof = SpuQueryLog.last();
        boolean match = ResultCheck.matches(plain, secure);
        allMatch &= match;
        System.out.printf("%n=== TPC-H %s, %s layout: %.2f s (plaintext Spark %.2f s), %s ===%n", q, layout, secs, plainSecs,
            match ? "equal to plaintext" : "DIFFERS from plaintext");
        System.out.println(ResultCheck.sideBySide(plain, secure));
        if (prof != null) System.out.print(prof.summary());
      }
    }
    System.out.println(allMatch ? "\nall secure results equal plaintext Spark's (decimals exact; averages to the last digit)"
        : "\nSOME SECURE RESULTS DIFFER");
    if (!allMatch) System.exit(1);
  }

  private TpchDemo() {}
}

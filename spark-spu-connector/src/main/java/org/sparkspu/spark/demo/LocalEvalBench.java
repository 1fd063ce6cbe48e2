package org.sparkspu.spark.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.sql.SpuQueryLog;

/**
 * Measures spark.spu.localEvaluation on a TPC-H Q12-like query over a secure_join of orders
 * (party 0) and lineitem (party 1): the filter's lineitem-side conjuncts and the CASE over
 * o_orderpriority run at their owners in plaintext when on, on shares when off. Prints one line
 * per run (rounds, bytes, MPC and local seconds, wall seconds) and checks both against plaintext.
 * Usage: {@code java -cp ... org.sparkspu.spark.demo.LocalEvalBench [--sf 0.01] [--protocol aby3|semi2k] [--reps 2]}.
 */
public final class LocalEvalBench {
  private LocalEvalBench() {}

  static final String Q12 = "SELECT l_shipmode,"
      + " %1$s(CASE WHEN o_orderpriority IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END) AS high_line_count,"
      + " %1$s(CASE WHEN o_orderpriority NOT IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END) AS low_line_count"
      + " FROM %2$s WHERE l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate"
      + " AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1995-01-01' GROUP BY l_shipmode";

  public static void main(String[] args) throws Exception {
    double sf = 0.01;
    String protocol = "aby3";
    int reps = 2;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--sf")) sf = Double.parseDouble(args[++i]);
      else if (args[i].equals("--protocol")) protocol = args[++i];
      else if (args[i].equals("--reps")) reps = Integer.parseInt(args[++i]);
    }
    org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
    SparkSession spark = SparkSession.builder().master("local[*]").appName("spark-spu local evaluation bench")
        .config("spark.plugins", "org.sparkspu.spark.SpuPlugin").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4").config("spark.spu.protocol", protocol)
        .config("spark.spu.parties", protocol.equals("aby3") ? "3" : "2").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    try {
      Dataset<Row> orders = TpchData.orders(spark, sf, 2).withColumnRenamed("o_orderkey", "orderkey").cache();
      Dataset<Row> lineitem = TpchData.lineitem(spark, sf, 0, 1, 2).withColumnRenamed("l_orderkey", "orderkey").cache();
      orders.createOrReplaceTempView("orders_plain");
      lineitem.createOrReplaceTempView("lineitem_plain");
      spark.sql("SELECT * FROM lineitem_plain JOIN orders_plain USING (orderkey)").createOrReplaceTempView("joined_plain");
      long t0 = System.nanoTime();
      SecureFrame j = SecureFrame.own(spark, 1, lineitem).join(SecureFrame.own(spark, 0, orders), List.of("orderkey"), "inner",
          Map.of("publicDomain", "l_shipmode"));
      j.createOrReplaceTempView("joined_secret");
      System.out.printf("secure_join: %,d joined rows in %.1f s (%s)%n", j.joinReport().rows(), (System.nanoTime() - t0) / 1e9, protocol);
      List<Row> plain = sorted(spark.sql(String.format(Q12, "sum", "joined_plain")).collectAsList());
      for (int r = 0; r < reps; r++) {
        for (boolean local : new boolean[] {false, true}) {
          spark.conf().set(SpuConf.LOCAL_EVALUATION, Boolean.toString(local));
          long w = System.nanoTime();
          List<Row> secure = sorted(spark.sql(String.format(Q12, "secure_sum", "joined_secret")).collectAsList());
          double wall = (System.nanoTime() - w) / 1e9;
          QueryProfile p = SpuQueryLog.last();
          long bytes = 0;
          for (long b : p.bytesSentPerParty()) bytes += b;
          System.out.printf("{\"suite\":\"localeval\",\"protocol\":\"%s\",\"sf\":%s,\"localEvaluation\":%s,\"rep\":%d,\"rounds\":%d,"
              + "\"bytesAllParties\":%d,\"maxBytesPerParty\":%d,\"mpcSeconds\":%.3f,\"localSeconds\":%.3f,\"wallSeconds\":%.3f,"
              + "\"matchesPlaintext\":%s}%n", protocol, sf, local, r, p.rounds(), bytes, p.maxBytesPerParty(), p.mpcSeconds(),
              p.localSeconds(), wall, ResultCheck.matches(plain, secure));
          if (r == reps - 1 && local) System.out.println(p.program());
        }
      }
    } finally {
      spark.stop();
    }
  }

  private static List<Row> sorted(List<Row> rows) {
    List<Row> out = new ArrayList<>(rows);
    out.sort((a, b) -> a.getString(0).compareTo(b.getString(0)));
    return out;
  }
}

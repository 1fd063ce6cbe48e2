package org.sparkspu.spark.demo;

import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.join.JoinReport;

/**
 * The main demo (README's first command): a local Spark application with 3 parties (aby3, the
 * embedded default: only spark.plugins is set). TPC-H lineitem (io.trino.tpch, scale factor 0.01 by
 * default) is split horizontally among the parties; Q1 and Q6 run as secure aggregates in both
 * layouts (horizontal: each party pre-aggregates its own rows; secret: the rows are secret-shared
 * with format("spu") and filtered and aggregated row by row in MPC), each printed beside plaintext
 * Spark's answer over the union of the parties' rows and the per-query profile. Then TPC-H Q12 in
 * the vertical layout: party 0's lineitem and party 1's orders joined with secure_join (PSI on the
 * order key), Q12's filters, conditional counts and GROUP BY run in MPC on the joined secret table.
 *
 * <p>Usage: TpchDemo [--sf 0.01]
 */
public final class TpchDemo {
  public static void main(String[] args) throws Exception {
    double sf = 0.01;
    for (int i = 0; i < args.length; i++) if (args[i].equals("--sf")) sf = Double.parseDouble(args[++i]);
    SparkSession spark = TpchWorkload.session("spark-spu TPC-H demo");
    try {
      run(spark, sf);
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, double sf) throws Exception {
    int parties = 3;
    System.out.printf("spark-spu TPC-H demo: lineitem at SF %s split among %d parties (aby3, embedded default)%n", sf, parties);
    boolean allMatch = true;
    try (TpchWorkload w = TpchWorkload.prepare(spark, sf, parties, 2, TpchWorkload.LAYOUTS)) {
      long[] rows = w.rowsPerParty();
      for (int p = 0; p < parties; p++) System.out.printf("  party %d holds %,d lineitem rows%n", p, rows[p]);
      for (String q : TpchQueries.NAMES) {
        TpchWorkload.Run plain = w.plain(q);
        for (String layout : TpchWorkload.layouts(q)) {
          if (layout.equals("vertical")) {
            JoinReport j = w.joinReport();
            System.out.printf("%n--- vertical layout: party 0 holds all %,d lineitem rows, party 1 the %,d orders; secure_join on the order"
                + " key: %,d and %,d distinct keys, %,d in common, %,d joined rows; PSI %.2f s (%,d bytes), sharing the joined"
                + " columns %.2f s%n", w.rows(), w.ordersRows(), j.leftKeys(), j.rightKeys(), j.intersection(), j.rows(), j.psiSeconds(),
                j.psiBytes(), j.writeSeconds());
          }
          TpchWorkload.Run secure = w.secure(q, layout);
          boolean match = ResultCheck.matches(plain.rows(), secure.rows());
          allMatch &= match;
          System.out.printf("%n=== TPC-H %s, %s layout: %.2f s (plaintext Spark %.2f s), %s ===%n", q.toUpperCase(java.util.Locale.ROOT),
              layout, secure.seconds(), plain.seconds(), match ? "equal to plaintext" : "DIFFERS from plaintext");
          System.out.println(ResultCheck.sideBySide(plain.rows(), secure.rows()));
          if (secure.profile() != null) System.out.print(secure.profile().summary());
        }
      }
    }
    System.out.println(allMatch ? "\nall secure results equal plaintext Spark's (decimals exact; averages to the last digit)"
        : "\nSOME SECURE RESULTS DIFFER");
    if (!allMatch) System.exit(1);
  }

  private TpchDemo() {}
}

package org.sparkspu.spark.demo;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.join.JoinReport;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuConf;

/**
 * Measures spark.spu.localEvaluation on TPC-H Q12 in the vertical layout ({@link TpchWorkload}:
 * party 0's lineitem joined with party 1's orders by secure_join): the filter's lineitem-side
 * conjuncts, the CASE over o_orderpriority and the GROUP BY l_shipmode run at their owners in
 * plaintext when on, on shares when off. Prints one JSON line per run (rounds, bytes, MPC and local
 * seconds, wall seconds) and checks both against plaintext Spark.
 * Usage: {@code java -cp ... org.sparkspu.spark.demo.LocalEvalBench [--sf 0.01] [--protocol aby3|semi2k] [--reps 2]}.
 */
public final class LocalEvalBench {
  private LocalEvalBench() {}

  public static void main(String[] args) throws Exception {
    double sf = 0.01;
    String protocol = "aby3";
    int reps = 2;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--sf")) sf = Double.parseDouble(args[++i]);
      else if (args[i].equals("--protocol")) protocol = args[++i];
      else if (args[i].equals("--reps")) reps = Integer.parseInt(args[++i]);
    }
    int parties = protocol.equals("aby3") ? 3 : 2;
    SparkSession spark = TpchWorkload.session("spark-spu local evaluation bench");
    spark.conf().set("spark.spu.protocol", protocol);
    spark.conf().set("spark.spu.parties", Integer.toString(parties));
    try (TpchWorkload w = TpchWorkload.prepare(spark, sf, parties, 2, List.of("vertical"))) {
      JoinReport j = w.joinReport();
      System.out.printf("secure_join: %,d joined rows in %.1f s (%s)%n", j.rows(), j.totalSeconds(), protocol);
      TpchWorkload.Run plain = w.plain("q12");
      for (int r = 0; r < reps; r++) {
        for (boolean local : new boolean[] {false, true}) {
          spark.conf().set(SpuConf.LOCAL_EVALUATION, Boolean.toString(local));
          TpchWorkload.Run secure = w.secure("q12", "vertical");
          QueryProfile p = secure.profile();
          long bytes = 0;
          for (long b : p.bytesSentPerParty()) bytes += b;
          System.out.printf("{\"suite\":\"localeval\",\"protocol\":\"%s\",\"sf\":%s,\"localEvaluation\":%s,\"rep\":%d,\"rounds\":%d,"
              + "\"bytesAllParties\":%d,\"maxBytesPerParty\":%d,\"mpcSeconds\":%.3f,\"localSeconds\":%.3f,\"wallSeconds\":%.3f,"
              + "\"matchesPlaintext\":%s}%n", protocol, sf, local, r, p.rounds(), bytes, p.maxBytesPerParty(), p.mpcSeconds(),
              p.localSeconds(), secure.seconds(), ResultCheck.matches(plain.rows(), secure.rows()));
          if (r == reps - 1 && local) System.out.println(p.program());
        }
      }
    } finally {
      spark.stop();
    }
  }
}

package org.sparkspu.spark.sql;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.sparkspu.spark.plan.QueryProfile;

/**
 * The per-query MPC figures a spu scan reports to Spark (driver-side metrics, shown on the scan
 * node of the Spark UI's SQL tab): rounds, the most bytes any one party sent, time in MPC, revealed
 * rows. Spark instantiates the metric classes by name: each has a public no-arg constructor.
 */
public final class SpuMetrics {
  public static final String ROUNDS = "spuRounds";
  public static final String MAX_BYTES = "spuMaxBytesPerParty";
  public static final String MPC_MS = "spuMpcMillis";
  public static final String LOCAL_MS = "spuLocalMillis";
  public static final String ROWS = "spuRevealedRows";

  private SpuMetrics() {}

  static CustomMetric[] supported() {
    return new CustomMetric[] {new Rounds(), new MaxBytes(), new MpcMillis(), new LocalMillis(), new RevealedRows()};
  }

  static CustomTaskMetric[] of(QueryProfile p, int rows) {
    return new CustomTaskMetric[] {
        value(ROUNDS, p.rounds()), value(MAX_BYTES, p.maxBytesPerParty()),
        value(MPC_MS, Math.round(p.mpcSeconds() * 1000)), value(LOCAL_MS, Math.round(p.localSeconds() * 1000)),
        value(ROWS, rows)};
  }

  private static CustomTaskMetric value(String name, long v) {
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long value() {
        return v;
      }
    };
  }

  public static final class Rounds extends CustomSumMetric {
    @Override public String name() { return ROUNDS; }
    @Override public String description() { return "MPC rounds"; }
  }

  public static final class MaxBytes extends CustomSumMetric {
    @Override public String name() { return MAX_BYTES; }
    @Override public String description() { return "MPC bytes sent by a party (max)"; }
  }

  public static final class MpcMillis extends CustomSumMetric {
    @Override public String name() { return MPC_MS; }
    @Override public String description() { return "MPC time (ms)"; }
  }

  public static final class LocalMillis extends CustomSumMetric {
    @Override public String name() { return LOCAL_MS; }
    @Override public String description() { return "local plaintext time of parties (ms)"; }
  }

  public static final class RevealedRows extends CustomSumMetric {
    @Override public String name() { return ROWS; }
    @Override public String description() { return "revealed rows"; }
  }
}

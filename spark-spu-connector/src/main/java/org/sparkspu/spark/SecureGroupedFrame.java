package org.sparkspu.spark;

import org.apache.spark.sql.Column;

/** A {@link SecureFrame} grouped by plain columns, waiting for its secure aggregates. */
public final class SecureGroupedFrame {
  private final SecureFrame frame;
  private final Column[] keys;

  SecureGroupedFrame(SecureFrame frame, Column[] keys) {
    this.frame = frame;
    this.keys = keys.clone();
  }

  /**
   * The group keys and the aggregates (from {@link SecureAgg}) of each group; groups with fewer
   * than spark.spu.minGroupSize rows are suppressed at reveal.
   */
  public SecureFrame agg(Column aggregate, Column... more) {
    Column[] k = keys;
    return frame.then("groupBy(" + java.util.Arrays.toString(k) + ").agg(...)", df -> df.groupBy(k).agg(aggregate, more));
  }

  /** count(*) of each group. */
  public SecureFrame count() {
    return agg(SecureAgg.countAll());
  }
}

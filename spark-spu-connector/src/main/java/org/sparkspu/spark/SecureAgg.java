package org.sparkspu.spark;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * The secure aggregates of {@link SecureFrame#agg} and {@link SecureGroupedFrame#agg}: sum,
 * count, count(*), avg, min, max, var_samp, stddev_samp, with Spark's SQL semantics and result
 * types, each named "secure_&lt;f&gt;(input)" unless re-aliased with {@code .as(name)}.
 *
 * <p>They are Spark's own aggregate expressions: over a SecureFrame, Spark pushes them into the spu
 * scan, which evaluates them in MPC and reveals only the aggregate of each group with at least
 * spark.spu.minGroupSize rows. A frame whose aggregates cannot push completely is refused; they
 * never fall back to plaintext. Inputs may be columns or expressions built with + - * over
 * columns and constants (e.g. {@code functions.expr("price * (1 - discount)")}).
 */
public final class SecureAgg {
  private SecureAgg() {}

  public static Column sum(String column) {
    return sum(functions.col(column));
  }

  public static Column sum(Column e) {
    return named("secure_sum", e, functions.sum(e));
  }

  /** Rows where the input is not null. */
  public static Column count(String column) {
    return count(functions.col(column));
  }

  public static Column count(Column e) {
    return named("secure_count", e, functions.count(e));
  }

  /** count(*): the rows of the group after the filter. */
  public static Column countAll() {
    return functions.count(functions.lit(1)).as("secure_count(*)");
  }

  public static Column avg(String column) {
    return avg(functions.col(column));
  }

  public static Column avg(Column e) {
    return named("secure_avg", e, functions.avg(e));
  }

  public static Column min(String column) {
    return min(functions.col(column));
  }

  public static Column min(Column e) {
    return named("secure_min", e, functions.min(e));
  }

  public static Column max(String column) {
    return max(functions.col(column));
  }

  public static Column max(Column e) {
    return named("secure_max", e, functions.max(e));
  }

  /** Sample variance (NULL for a group of one row). */
  public static Column varSamp(String column) {
    return varSamp(functions.col(column));
  }

  public static Column varSamp(Column e) {
    return named("secure_var_samp", e, functions.var_samp(e));
  }

  /** Sample standard deviation (NULL for a group of one row). */
  public static Column stddevSamp(String column) {
    return stddevSamp(functions.col(column));
  }

  public static Column stddevSamp(Column e) {
    return named("secure_stddev_samp", e, functions.stddev_samp(e));
  }

  private static Column named(String function, Column input, Column aggregate) {
    return aggregate.as(function + "(" + input + ")");
  }
}

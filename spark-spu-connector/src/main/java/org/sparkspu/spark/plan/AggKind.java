package org.sparkspu.spark.plan;

/** The secure aggregate functions. Each has the SQL semantics of Spark's function of the same name. */
public enum AggKind {
  SUM("secure_sum"),
  COUNT("secure_count"),
  /** count(*): rows of the group after the filter. */
  COUNT_STAR("secure_count"),
  AVG("secure_avg"),
  MIN("secure_min"),
  MAX("secure_max"),
  VAR_SAMP("secure_var_samp"),
  STDDEV_SAMP("secure_stddev_samp");

  private final String sqlName;

  AggKind(String sqlName) {
    this.sqlName = sqlName;
  }

  /** The SQL function name. */
  public String sqlName() {
    return sqlName;
  }
}

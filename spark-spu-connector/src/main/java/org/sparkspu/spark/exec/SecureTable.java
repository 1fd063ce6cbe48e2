package org.sparkspu.spark.exec;

import java.io.Serializable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;

/**
 * A table whose rows no single party may see, in one of the layouts: "horizontal" (each party
 * holds rows of the same schema), "secret" (rows secret-shared among the parties, a share store),
 * "vertical" (a secure join's result). The SQL layer, the data source and SecureFrame all run
 * queries through this interface.
 */
public interface SecureTable extends Serializable {
  /** The column names and plaintext types a query may refer to. */
  StructType schema();

  /** "horizontal", "secret" or "vertical". */
  String layout();

  /** A short name for messages and explain output (no data). */
  String describe();

  /**
   * Checks that {@code query} can run securely on this table; throws an {@link
   * org.sparkspu.spark.plan.SpuQueryException} naming the column and the reason otherwise (e.g. a
   * GROUP BY on a secret column without a public domain).
   */
  void validate(SecureQuery query);

  /**
   * Runs the query in MPC and reveals its result to the {@code receivers} (party indices; null or
   * empty means every party). In the embedded deployment the returned rows are the receivers'.
   */
  QueryResult execute(SparkSession spark, SpuConf conf, SecureQuery query, int[] receivers);

  /** The plan without running it: local steps, the compiled MPC program (levels, rounds, bytes) and what is revealed. */
  String explain(SparkSession spark, SpuConf conf, SecureQuery query);
}

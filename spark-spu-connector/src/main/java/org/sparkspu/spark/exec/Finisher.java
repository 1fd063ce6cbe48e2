package org.sparkspu.spark.exec;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.spark.plan.SecureQuery;

/**
 * Turns a query's secret {@link GroupTotals} into its revealed result rows, the same for every
 * layout. Runs at every party (SPMD) inside the query's MPC session.
 */
public final class Finisher {
  private Finisher() {}

  /**
   * Suppresses groups under the minimum size, computes every aggregate and reveals the rows (group
   * key values first, then the aggregates in query order) to the receivers (null or empty: all).
   *
   * @param groupKeys the public key values of each group (one list per group, one value per
   *     group-by column, Spark external Java values), in the totals' group order
   * @return the rows at a receiver, null at other parties
   */
  public static List<Row> finish(Session session, SecureQuery query, List<List<Object>> groupKeys, GroupTotals totals,
      int[] receivers) {
    throw new UnsupportedOperationException("Finisher is being built");
  }

  /** The result schema: group-by columns with their table types, then each aggregate's Spark result type. */
  public static StructType resultSchema(SecureQuery query, StructType tableSchema, java.util.function.Function<org.sparkspu.spark.plan.Expr, org.apache.spark.sql.types.DataType> typeOf) {
    throw new UnsupportedOperationException("Finisher is being built");
  }
}

package org.sparkspu.spark.exec;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.spark.plan.Expr;

/**
 * The secret per-group statistics a query's aggregates are finished from, the same for every
 * layout; this party's shares. Groups are indexed 0..groups-1 in the order of the public group key
 * list that travels with it. Every share has shape [groups].
 *
 * @param rows count(*) of each group after the filter (integer encoding)
 * @param inputs one entry per distinct aggregate input expression
 */
public record GroupTotals(int groups, Share rows, List<InputTotals> inputs) {
  public GroupTotals {
    inputs = List.copyOf(inputs);
  }

  /**
   * Statistics of one aggregate input over each group's rows where the input is not null. A field
   * is null when no aggregate of the query needs it.
   *
   * @param expr the input expression (aggregates are matched to their input by equality)
   * @param type its Spark type (decides the result type)
   * @param encoding how sum and min/max are encoded
   * @param count non-null values per group (integer)
   * @param sum sum of the values, in {@code encoding} (exact for integer encodings)
   * @param sumSquares sum of squared values: integer encodings at scale 2*scale; fixed point at
   *     fractionBits (already truncated once)
   * @param min minimum, or +2^62 where the group has no value
   * @param max maximum, or -2^62 where the group has no value
   * @param maxCountBits the sum (and sum of squares) is exact only in groups of fewer than 2^t
   *     non-NULL values (a larger group fails the query); 64 or more: no limit
   */
  public record InputTotals(Expr expr, DataType type, NumericEncoding encoding, Share count, Share sum, Share sumSquares,
      Share min, Share max, int maxCountBits) {
    /** Totals whose sum cannot leave the ring (no count limit). */
    public InputTotals(Expr expr, DataType type, NumericEncoding encoding, Share count, Share sum, Share sumSquares,
        Share min, Share max) {
      this(expr, type, encoding, count, sum, sumSquares, min, max, 64);
    }
  }
}

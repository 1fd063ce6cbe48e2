package org.sparkspu.spark.secret;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.sparkspu.arrow.SecretTableSchema;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SecureQuery;

/**
 * Everything every party needs to build the same per-batch MPC program of one query on a secret
 * table: public only (schema, query, the groups' public key codes, batch shape). No key, no share,
 * no value of any row.
 *
 * @param batchRows rows per batch (the last batch is padded to it)
 * @param readColumns the columns each party reads from its share folder
 * @param groups the GROUP BY columns with their public domains (in query order)
 * @param inputs the distinct aggregate inputs and the statistics the query needs of each
 * @param locals the predicates that one owner of a vertical (joined) store evaluates on its own
 *     plaintext rows, entering the program as that owner's private 0/1 mask (see {@link LocalPredicates})
 */
record SecretPlan(SecureQuery query, SecretTableSchema schema, int fractionBits, int batchRows, long totalRows,
    List<String> readColumns, List<GroupColumn> groups, List<InputSpec> inputs, List<LocalInput> locals) implements Serializable {

  SecretPlan {
    readColumns = List.copyOf(readColumns);
    groups = List.copyOf(groups);
    inputs = List.copyOf(inputs);
    locals = List.copyOf(locals);
  }

  /** A plan without local predicates (everything in MPC). */
  SecretPlan(SecureQuery query, SecretTableSchema schema, int fractionBits, int batchRows, long totalRows,
      List<String> readColumns, List<GroupColumn> groups, List<InputSpec> inputs) {
    this(query, schema, fractionBits, batchRows, totalRows, readColumns, groups, inputs, List.of());
  }

  /** This plan with {@code locals} evaluated by their owners, reading only {@code read} as shares. */
  SecretPlan withLocals(List<LocalInput> l, List<String> read) {
    return new SecretPlan(query, schema, fractionBits, batchRows, totalRows, read, groups, inputs, l);
  }

  /**
   * A predicate read by one owner only: its TRUE-indicator (SQL: TRUE -> 1, FALSE and NULL -> 0)
   * is computed by the owner on its plaintext rows and is the owner's private input {@code lm:<id>}.
   * Or ({@code groupColumn} set) a GROUP BY column of one owner: {@code expr} gives each row's index
   * in the column's public domain (the NULL key included), and the owner inputs the one-hot rows
   * {@code lh:<id>:<j>} privately.
   *
   * @param group the owner's column group in the join manifest
   * @param folder the owner's private folder of aligned rows (relative to the store root)
   * @param groupColumn the GROUP BY column, or null for a predicate
   * @param domainSize the GROUP BY column's domain size (0 for a predicate)
   */
  record LocalInput(int id, Expr expr, int owner, int group, String folder, String groupColumn, int domainSize) implements Serializable {
    LocalInput(int id, Expr expr, int owner, int group, String folder) {
      this(id, expr, owner, group, folder, null, 0);
    }
  }

  /**
   * A GROUP BY column's public domain: each value's ring code (as the store encodes it) and
   * whether it is the NULL key (its own group: the rows whose validity is 0).
   */
  record GroupColumn(String name, long[] codes, boolean[] isNull) implements Serializable {
    int size() {
      return codes.length;
    }
  }

  /**
   * One distinct aggregate input and the statistics the query's aggregates need of it;
   * {@code maxCountBits}: its SUM/AVG (and VAR's sum of squares) is safe only in groups of fewer than 2^t non-NULL values
   * ({@link SumRange}; {@link SumRange#UNLIMITED} when no group of this table can reach it).
   */
  record InputSpec(Expr expr, DataType type, boolean sum, boolean sumSquares, boolean min, boolean max, int maxCountBits)
      implements Serializable {
    InputSpec(Expr expr, DataType type, boolean sum, boolean sumSquares, boolean min, boolean max) {
      this(expr, type, sum, sumSquares, min, max, SumRange.UNLIMITED);
    }
  }

  /** Number of groups: the product of the domains' sizes (1 without GROUP BY). */
  int groupCount() {
    long g = 1;
    for (GroupColumn c : groups) g *= c.size();
    return (int) g;
  }

  /** Batches a table of {@code totalRows} rows takes. */
  long batches() {
    return (totalRows + batchRows - 1) / batchRows;
  }
}

package org.sparkspu.spark.plan;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A secure aggregate query over one table: rows where {@code filter} holds (all rows when null) are
 * grouped by the {@code groupBy} columns and aggregated. Only the aggregates of groups with at least
 * {@code minGroupSize} rows are revealed; smaller groups are suppressed (absent from the result; a
 * global aggregate, with no group-by, returns one row of NULLs instead).
 */
public record SecureQuery(Expr filter, List<String> groupBy, List<AggCall> aggregates, int minGroupSize) implements Serializable {
  public SecureQuery {
    groupBy = List.copyOf(groupBy);
    aggregates = List.copyOf(aggregates);
    if (aggregates.isEmpty() && groupBy.isEmpty()) throw new IllegalArgumentException("a secure query needs an aggregate or a group-by");
    if (minGroupSize < 1) throw new IllegalArgumentException("minimum group size must be >= 1, got " + minGroupSize);
  }

  public SecureQuery withMinGroupSize(int k) {
    return new SecureQuery(filter, groupBy, aggregates, k);
  }

  /** SQL-like text of the query (no data). */
  public String describe(String table) {
    String sel = java.util.stream.Stream.concat(groupBy.stream().map(g -> "`" + g + "`"), aggregates.stream().map(AggCall::toString))
        .collect(Collectors.joining(", "));
    return "SELECT " + sel + " FROM " + table + (filter == null ? "" : " WHERE " + filter.sql())
        + (groupBy.isEmpty() ? "" : " GROUP BY " + groupBy.stream().map(g -> "`" + g + "`").collect(Collectors.joining(", ")))
        + " -- groups with fewer than " + minGroupSize + " rows suppressed";
  }
}

package org.sparkspu.spark.plan;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** The revealed rows of a secure query (group keys first, then aggregates) and its profile. */
public record QueryResult(StructType schema, List<Row> rows, QueryProfile profile) implements Serializable {
  public QueryResult {
    rows = List.copyOf(rows);
  }
}

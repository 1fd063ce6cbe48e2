package org.sparkspu.spark.plan;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * Spark's own type of an expression over a table schema: the expression's SQL is analysed against an
 * empty DataFrame of that schema, so decimal precision/scale and implicit casts follow Spark exactly.
 * No data is read. Unknown columns raise a {@link SpuQueryException} naming the column.
 */
public final class ExprTypes {
  private ExprTypes() {}

  public static DataType typeOf(SparkSession spark, StructType schema, Expr e) {
    for (String c : e.columns()) {
      if (!List.of(schema.fieldNames()).contains(c)) {
        throw new SpuQueryException(c, "column '" + c + "' is not in the table (columns: " + String.join(", ", schema.fieldNames()) + ")");
      }
    }
    Dataset<Row> empty = spark.createDataFrame(List.of(), schema);
    return empty.selectExpr(e.sql()).schema().fields()[0].dataType();
  }
}

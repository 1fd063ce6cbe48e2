package org.sparkspu.spark.plan;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * One aggregate of a query: its kind, its input expression (null for count(*)) and the name of its
 * output column.
 */
public record AggCall(AggKind kind, Expr input, String alias) implements Serializable {
  public AggCall {
    if (kind == null) throw new IllegalArgumentException("aggregate kind is required");
    if ((kind == AggKind.COUNT_STAR) != (input == null)) {
      throw new IllegalArgumentException(kind == AggKind.COUNT_STAR ? "count(*) takes no input" : kind.sqlName() + " needs an input");
    }
    if (alias == null || alias.isEmpty()) throw new IllegalArgumentException("aggregate output name is required");
  }

  /** Spark's result type of this aggregate for an input of type {@code in} (null for count(*)). */
  public DataType resultType(DataType in) {
    return switch (kind) {
      case COUNT, COUNT_STAR -> DataTypes.LongType;
      case VAR_SAMP, STDDEV_SAMP -> DataTypes.DoubleType;
      case MIN, MAX -> in;
      case SUM -> in instanceof DecimalType d
          ? DataTypes.createDecimalType(Math.min(38, d.precision() + 10), d.scale())
          : (in.equals(DataTypes.FloatType) || in.equals(DataTypes.DoubleType)) ? DataTypes.DoubleType : DataTypes.LongType;
      case AVG -> in instanceof DecimalType d
          ? DataTypes.createDecimalType(Math.min(38, d.precision() + 4), Math.min(38, d.scale() + 4))
          : DataTypes.DoubleType;
    };
  }

  @Override
  public String toString() {
    return kind.sqlName() + "(" + (input == null ? "*" : input.sql()) + ") AS " + alias;
  }
}

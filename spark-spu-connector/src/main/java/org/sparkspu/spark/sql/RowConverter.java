package org.sparkspu.spark.sql;

import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Revealed result rows (Spark external values) to the scan's internal rows, coerced to the scan's
 * read schema (a table may report e.g. a long where Spark's result type is a decimal).
 */
final class RowConverter {
  private RowConverter() {}

  static InternalRow toInternal(Row row, StructType schema) {
    Object[] out = new Object[schema.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = internal(row.isNullAt(i) ? null : row.get(i), schema.fields()[i].dataType(), schema.fields()[i].name());
    }
    return new GenericInternalRow(out);
  }

  static Object internal(Object v, DataType t, String column) {
    if (v == null) return null;
    if (t instanceof LongType) return number(v, column).longValue();
    if (t instanceof IntegerType) return number(v, column).intValue();
    if (t instanceof ShortType) return number(v, column).shortValue();
    if (t instanceof ByteType) return number(v, column).byteValue();
    if (t instanceof DoubleType) return number(v, column).doubleValue();
    if (t instanceof FloatType) return number(v, column).floatValue();
    if (t instanceof DecimalType d) {
      BigDecimal bd = v instanceof BigDecimal b ? b : v instanceof Decimal dd ? dd.toJavaBigDecimal() : new BigDecimal(number(v, column).toString());
      Decimal dec = Decimal.apply(bd);
      if (!dec.changePrecision(d.precision(), d.scale())) {
        throw new IllegalStateException("revealed value of column " + column + " does not fit " + d.sql());
      }
      return dec;
    }
    if (t instanceof StringType) return UTF8String.fromString(v.toString());
    if (t instanceof BooleanType) return v;
    if (t instanceof DateType) {
      if (v instanceof LocalDate d) return (int) d.toEpochDay();
      if (v instanceof java.sql.Date d) return (int) d.toLocalDate().toEpochDay();
      if (v instanceof Integer i) return i;
    }
    throw new IllegalStateException("column " + column + ": cannot return a " + v.getClass().getSimpleName() + " as " + t.sql());
  }

  private static Number number(Object v, String column) {
    if (v instanceof Number n) return n;
    if (v instanceof Decimal d) return d.toJavaBigDecimal();
    throw new IllegalStateException("column " + column + ": expected a number, got " + v.getClass().getSimpleName());
  }
}

package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/** Test helpers for Spark internal rows. */
final class Rows {
  private Rows() {}

  /** A row of internal values (Byte, Short, Integer days, Long micros, Decimal, UTF8String, byte[], ...). */
  static InternalRow row(Object... values) {
    return new GenericInternalRow(values);
  }

  static UTF8String utf8(String s) {
    return UTF8String.fromString(s);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Object value(InternalRow r, int i, DataType t) {
    return r.isNullAt(i) ? null : r.get(i, t);
  }

  /** Field by field equality (byte arrays by content), naming row and column on failure. */
  static void assertSameRows(StructType schema, List<InternalRow> expected, List<InternalRow> actual) {
    assertEquals(expected.size(), actual.size(), "row count");
    for (int r = 0; r < expected.size(); r++) {
      for (int i = 0; i < schema.size(); i++) {
        DataType t = schema.fields()[i].dataType();
        Object e = value(expected.get(r), i, t);
        Object a = value(actual.get(r), i, t);
        String where = "row " + r + ", column " + schema.fields()[i].name();
        if (e instanceof byte[] eb && a instanceof byte[] ab) assertArrayEquals(eb, ab, where);
        else assertEquals(e, a, where);
      }
    }
  }
}

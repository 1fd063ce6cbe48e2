package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.ring.RingTensor;

/**
 * Revealed tensors back to Arrow: the declared result type, nulls from validity, half-to-even
 * rounding of fixed-point decimals, and values that do not fit the type named by column and row.
 */
class RingDecoderTest extends LeakCheckedAllocator {
  static SecretColumn col(String name, LogicalType t, ColumnEncoding e, boolean nullable) {
    return new SecretColumn(name, 0, t, e, nullable);
  }

  private VectorSchemaRoot decode(SecretColumn c, long firstRow, long[] values, long[] validity) {
    SecretTableSchema s = new SecretTableSchema(List.of(c));
    EncodedColumn ec = new EncodedColumn(c, RingTensor.vector(values), validity == null ? null : RingTensor.vector(validity), null);
    return new RingDecoder(s, "UTC").decode(new EncodedBatch(firstRow, values.length, List.of(ec)), allocator);
  }

  @Test
  void revealedSumsDecodeToTheDeclaredTypeWithNullsFromValidity() {
    SecretColumn total = col("total", LogicalType.of(LogicalType.Kind.BIGINT), ColumnEncoding.INTEGER, true);
    try (VectorSchemaRoot root = decode(total, 0, new long[] {5_000_000_000L, 12345, -7}, new long[] {1, 0, 1});
         ColumnarBatch b = RingDecoder.toColumnarBatch(root)) {
      assertEquals(3, b.numRows());
      assertEquals(5_000_000_000L, b.column(0).getLong(0));
      assertTrue(b.column(0).isNullAt(1), "validity 0 is a null, whatever the value");
      assertEquals(-7, b.column(0).getLong(2));
    }
  }

  @Test
  void fixedPointDecimalsRoundHalfToEven() {
    SecretColumn c = col("x", LogicalType.decimal(10, 0), ColumnEncoding.fixedPoint(1), false);
    try (VectorSchemaRoot root = decode(c, 0, new long[] {1, 3, -1, -3, 5, 4}, null); ColumnarBatch b = RingDecoder.toColumnarBatch(root)) {
      long[] expected = {0, 2, 0, -2, 2, 2}; // 0.5, 1.5, -0.5, -1.5, 2.5, 2.0
      for (int i = 0; i < expected.length; i++) {
        assertEquals(BigDecimal.valueOf(expected[i]), b.column(0).getDecimal(i, 10, 0).toJavaBigDecimal(), "row " + i);
      }
    }
    SecretColumn d = col("y", LogicalType.decimal(38, 20), ColumnEncoding.fixedPoint(18), false);
    try (VectorSchemaRoot root = decode(d, 0, new long[] {3L << 17, -(1L << 61)}, null); ColumnarBatch b = RingDecoder.toColumnarBatch(root)) {
      assertEquals(new BigDecimal("1.5").setScale(20), b.column(0).getDecimal(0, 38, 20).toJavaBigDecimal());
      assertEquals(new BigDecimal(-(1L << 43)).setScale(20), b.column(0).getDecimal(1, 38, 20).toJavaBigDecimal(), "wide path");
    }
  }

  @Test
  void valuesThatDoNotFitTheDeclaredTypeAreRejectedNamingColumnAndRow() {
    Object[][] cases = {
        {col("n", LogicalType.of(LogicalType.Kind.INT), ColumnEncoding.INTEGER, false), 1L << 40, "INT"},
        {col("n", LogicalType.of(LogicalType.Kind.TINYINT), ColumnEncoding.INTEGER, false), 128L, "TINYINT"},
        {col("n", LogicalType.of(LogicalType.Kind.BOOLEAN), ColumnEncoding.INTEGER, false), 2L, "BOOLEAN"},
        {col("n", LogicalType.decimal(5, 2), ColumnEncoding.INTEGER, false), 100_000L, "5 digits"},
        {col("n", LogicalType.decimal(5, 2), ColumnEncoding.fixedPoint(18), false), 1000L << 18, "5 digits"}};
    for (Object[] c : cases) {
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class,
          () -> decode((SecretColumn) c[0], 100, new long[] {0, (Long) c[1]}, null).close());
      assertEquals("n", e.column());
      assertEquals(101, e.row(), "row within the partition: first row of the batch + index");
      assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
    }
  }

  @Test
  void aBatchFromAnotherSchemaIsRejected() {
    SecretColumn a = col("a", LogicalType.of(LogicalType.Kind.BIGINT), ColumnEncoding.INTEGER, false);
    SecretColumn b = col("b", LogicalType.of(LogicalType.Kind.BIGINT), ColumnEncoding.INTEGER, false);
    EncodedBatch batch = new EncodedBatch(0, 1, List.of(new EncodedColumn(b, RingTensor.vector(1), null, null)));
    RingDecoder decoder = new RingDecoder(new SecretTableSchema(List.of(a)), "UTC");
    assertThrows(IllegalArgumentException.class, () -> decoder.decode(batch, allocator));
  }
}

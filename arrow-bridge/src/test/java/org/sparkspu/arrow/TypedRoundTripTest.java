package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkspu.arrow.Rows.assertSameRows;
import static org.sparkspu.arrow.Rows.bytes;
import static org.sparkspu.arrow.Rows.row;
import static org.sparkspu.arrow.Rows.utf8;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.hal.FixedPoint;

/**
 * Every supported type through Spark's ArrowWriter into ring form and back: ring values as
 * documented, validity tensors, exact integers and decimals, fixed point within 2^-(f+1), nulls,
 * negatives, extremes, and batches split at the configured size.
 */
class TypedRoundTripTest extends LeakCheckedAllocator {
  static final int F = 18;
  static final double HALF_STEP = Math.scalb(1.0, -(F + 1));
  static final BridgeConfig CFG = BridgeConfig.defaults().withBatchRows(4);
  static final SipHash24 KEY = new SipHash24(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  static final long MAX_INT62 = (1L << 62) - 1;

  private RoundTrip roundTrip(StructType s, List<InternalRow> rows) {
    return RoundTrip.of(rows, SecretTableSchema.fromSpark(s, 0, F), CFG, KEY, allocator);
  }

  @Test
  void integersRoundTripExactlyWithNullsNegativesAndExtremes() {
    StructType s = new StructType().add("b", DataTypes.ByteType).add("s", DataTypes.ShortType)
        .add("i", DataTypes.IntegerType).add("l", DataTypes.LongType);
    List<InternalRow> rows = List.of(
        row(Byte.MIN_VALUE, Short.MIN_VALUE, Integer.MIN_VALUE, -MAX_INT62),
        row(Byte.MAX_VALUE, Short.MAX_VALUE, Integer.MAX_VALUE, MAX_INT62),
        row(null, null, null, null),
        row((byte) 0, (short) 0, 0, 0L),
        row((byte) -1, (short) -1, -1, -1L),
        row((byte) 7, (short) -300, 123456, -9876543210L));
    RoundTrip rt = roundTrip(s, rows);
    for (int c = 0; c < 4; c++) {
      long[] v = rt.values(c), valid = rt.validity(c);
      for (int r = 0; r < rows.size(); r++) {
        if (rows.get(r).isNullAt(c)) {
          assertEquals(0, v[r], "null encodes as 0");
          assertEquals(0, valid[r]);
        } else {
          assertEquals(((Number) rows.get(r).get(c, s.fields()[c].dataType())).longValue(), v[r], "row " + r + " column " + c);
          assertEquals(1, valid[r]);
        }
      }
      assertEquals(ColumnEncoding.INTEGER, rt.batches().get(0).column(c).column().encoding());
    }
    assertSameRows(s, rows, rt.decoded());
  }

  @Test
  void bigintAtTwoToThe62IsRejectedNamingColumnRowAndLimit() {
    StructType s = new StructType().add("amount", DataTypes.LongType);
    for (long bad : new long[] {1L << 62, -(1L << 62), Long.MIN_VALUE, Long.MAX_VALUE}) {
      List<InternalRow> rows = List.of(row(1L), row(2L), row((Object) null), row(bad), row(3L));
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class, () -> roundTrip(s, rows));
      assertEquals("amount", e.column());
      assertEquals(3, e.row());
      assertTrue(e.getMessage().contains("'amount'") && e.getMessage().contains("row 3") && e.getMessage().contains("2^62"), e.getMessage());
      if (bad == Long.MIN_VALUE || bad == Long.MAX_VALUE) {
        assertTrue(!e.getMessage().contains(Long.toString(bad)), "the offending value is private and stays out of the message");
      }
    }
  }

  @Test
  void rowNumbersCountAcrossBatchesOfTheConfiguredSize() {
    StructType s = new StructType().add("l", DataTypes.LongType, false);
    List<InternalRow> rows = new ArrayList<>();
    for (long i = 0; i < 10; i++) rows.add(row(i * 1000));
    RoundTrip rt = RoundTrip.of(rows, SecretTableSchema.fromSpark(s, 0, F), CFG.withBatchRows(3), null, allocator);
    assertEquals(List.of(3, 3, 3, 1), rt.batches().stream().map(EncodedBatch::rowCount).toList());
    assertEquals(List.of(0L, 3L, 6L, 9L), rt.batches().stream().map(EncodedBatch::firstRow).toList());
    assertNull(rt.batches().get(0).column(0).validity(), "NOT NULL columns have no validity tensor");
    assertSameRows(s, rows, rt.decoded());

    rows.set(7, row(1L << 62));
    ColumnEncodingException e = assertThrows(ColumnEncodingException.class,
        () -> RoundTrip.encode(rows, SecretTableSchema.fromSpark(s, 0, F), CFG.withBatchRows(3), null, allocator));
    assertEquals(7, e.row(), "row number within the partition, not within the batch");
  }

  @Test
  void doublesRoundTripWithinHalfAFixedPointStepAndMatchTheEngineEncoding() {
    StructType s = new StructType().add("d", DataTypes.DoubleType);
    double max = Math.nextDown(Math.scalb(1.0, 62 - F)); // largest double below 2^44
    List<Double> xs = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 0.1, -0.1, Double.MIN_VALUE, -1e-12, max, -max, 1e13, -123456.789));
    Random rnd = new Random(1);
    for (int i = 0; i < 200; i++) xs.add(rnd.nextBoolean() ? (rnd.nextDouble() - 0.5) * 2e6 : rnd.nextGaussian() * 1e-3);
    List<InternalRow> rows = new ArrayList<>();
    for (Double x : xs) rows.add(row(x));
    rows.add(3, row((Object) null));
    RoundTrip rt = roundTrip(s, rows);
    FixedPoint engine = new FixedPoint(F);
    long[] v = rt.values(0), valid = rt.validity(0);
    for (int r = 0; r < rows.size(); r++) {
      InternalRow in = rows.get(r), out = rt.decoded().get(r);
      if (in.isNullAt(0)) {
        assertTrue(out.isNullAt(0));
        assertEquals(0, v[r]);
        assertEquals(0, valid[r]);
        continue;
      }
      double x = in.getDouble(0);
      assertEquals(engine.encode(x), v[r], "same rounding as the engine's FixedPoint for " + x);
      assertTrue(Math.abs(out.getDouble(0) - x) <= HALF_STEP, "|decoded - x| <= 2^-(f+1) for row " + r);
    }
  }

  @Test
  void floatsRoundTripWithinHalfAStepPlusFloatRounding() {
    StructType s = new StructType().add("f", DataTypes.FloatType);
    float[] xs = {0f, 1.5f, -2.25f, 0.1f, -0.3f, 3.4e12f, -1.7e13f, Float.MIN_VALUE, 12345.678f};
    List<InternalRow> rows = new ArrayList<>();
    for (float x : xs) rows.add(row(x));
    rows.add(row((Object) null));
    RoundTrip rt = roundTrip(s, rows);
    for (int r = 0; r < xs.length; r++) {
      float got = rt.decoded().get(r).getFloat(0);
      assertTrue(Math.abs(got - xs[r]) <= HALF_STEP + Math.ulp(xs[r]), "row " + r + ": " + got + " vs " + xs[r]);
    }
    assertTrue(rt.decoded().get(xs.length).isNullAt(0));
  }

  @Test
  void nanInfinityAndOutOfRangeDoublesAreRejectedNamingColumnAndRow() {
    StructType s = new StructType().add("price", DataTypes.DoubleType);
    double limit = Math.scalb(1.0, 62 - F);
    Object[][] cases = {{Double.NaN, "NaN"}, {Double.POSITIVE_INFINITY, "infinity"}, {Double.NEGATIVE_INFINITY, "infinity"},
        {limit, "2^44"}, {-limit, "2^44"}, {1e300, "fixed-point range"}};
    for (Object[] c : cases) {
      List<InternalRow> rows = List.of(row(1.0), row((Object) null), row(c[0]));
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class, () -> roundTrip(s, rows));
      assertEquals("price", e.column());
      assertEquals(2, e.row());
      assertTrue(e.getMessage().contains((String) c[1]) && e.getMessage().contains("row 2"), e.getMessage());
    }
  }

  @Test
  void decimalsUpToEighteenDigitsAreExactScaledIntegers() {
    StructType s = new StructType().add("amt", DataTypes.createDecimalType(18, 4));
    String[] xs = {"99999999999999.9999", "-99999999999999.9999", "0", "0.0001", "-0.0001", "1234.5678"};
    List<InternalRow> rows = new ArrayList<>();
    for (String x : xs) rows.add(row(Decimal.apply(new BigDecimal(x), 18, 4)));
    rows.add(row((Object) null));
    RoundTrip rt = roundTrip(s, rows);
    assertEquals(ColumnEncoding.INTEGER, rt.batches().get(0).column(0).column().encoding());
    long[] v = rt.values(0);
    for (int r = 0; r < xs.length; r++) assertEquals(new BigDecimal(xs[r]).unscaledValue().longValueExact(), v[r]);
    assertSameRows(s, rows, rt.decoded());
  }

  @Test
  void widerDecimalsAreFixedPointWithinHalfAStepAndExactWhenTenToTheScaleIsBelowTwoToTheF() {
    DecimalType wide = DataTypes.createDecimalType(38, 10);
    DecimalType money = DataTypes.createDecimalType(30, 3); // 10^3 < 2^18: fixed point round-trips exactly
    StructType s = new StructType().add("w", wide).add("m", money);
    String[][] xs = {{"123456789.0123456789", "12345678901.234"}, {"-0.0000000001", "-0.001"},
        {"17592186044415.9999900000", "17592186044415.999"}, {"-17592186044415.9999900000", "-17592186044415.999"}, {"0", "0"}};
    List<InternalRow> rows = new ArrayList<>();
    for (String[] x : xs) rows.add(row(Decimal.apply(new BigDecimal(x[0]), 38, 10), Decimal.apply(new BigDecimal(x[1]), 30, 3)));
    rows.add(row(null, null));
    RoundTrip rt = roundTrip(s, rows);
    assertEquals(ColumnEncoding.fixedPoint(F), rt.batches().get(0).column(0).column().encoding());
    long[] w = rt.values(0);
    BigDecimal tolerance = new BigDecimal(HALF_STEP).add(new BigDecimal("0.00000000005"));
    for (int r = 0; r < xs.length; r++) {
      BigDecimal x = new BigDecimal(xs[r][0]);
      long expected = x.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(F))).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
      assertEquals(expected, w[r], "round(x * 2^f) computed exactly for " + x);
      BigDecimal back = rt.decoded().get(r).getDecimal(0, 38, 10).toJavaBigDecimal();
      assertTrue(back.subtract(x).abs().compareTo(tolerance) <= 0, back + " vs " + x);
      assertEquals(new BigDecimal(xs[r][1]).setScale(3), rt.decoded().get(r).getDecimal(1, 30, 3).toJavaBigDecimal(), "exact");
    }
    assertTrue(rt.decoded().get(xs.length).isNullAt(0) && rt.decoded().get(xs.length).isNullAt(1));
  }

  @Test
  void decimalsOutsideTheirEncodingRangeAreRejected() {
    StructType s = new StructType().add("big", DataTypes.createDecimalType(38, 0));
    List<InternalRow> rows = List.of(row(Decimal.apply(new BigDecimal("1"), 38, 0)), row(Decimal.apply(new BigDecimal("1e30"), 38, 0)));
    ColumnEncodingException e = assertThrows(ColumnEncodingException.class, () -> roundTrip(s, rows));
    assertEquals(1, e.row());
    assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("2^44"), e.getMessage());

    // A wide decimal declared as exact integers: fine while |unscaled| < 2^62, an error beyond.
    StructType s2 = new StructType().add("d", DataTypes.createDecimalType(38, 2));
    SecretTableSchema exact = new SecretTableSchema(List.of(
        new SecretColumn("d", 0, LogicalType.decimal(38, 2), ColumnEncoding.INTEGER, true)));
    List<InternalRow> ok = List.of(row(Decimal.apply(new BigDecimal("-12345678.91"), 38, 2)));
    RoundTrip rt = RoundTrip.of(ok, exact, CFG, null, allocator);
    assertEquals(-1234567891L, rt.values(0)[0]);
    assertSameRows(s2, ok, rt.decoded());
    List<InternalRow> tooBig = List.of(row(Decimal.apply(new BigDecimal("1e20"), 38, 2)));
    e = assertThrows(ColumnEncodingException.class, () -> RoundTrip.encode(tooBig, exact, CFG, null, allocator));
    assertTrue(e.getMessage().contains("2^62") && e.getMessage().contains("row 0"), e.getMessage());
  }

  @Test
  void booleansDatesAndTimestampsAreExactIntegers() {
    StructType s = new StructType().add("ok", DataTypes.BooleanType).add("day", DataTypes.DateType)
        .add("ts", DataTypes.TimestampType).add("ntz", DataTypes.TimestampNTZType);
    long min = -62135596800000000L; // 0001-01-01T00:00:00Z in microseconds
    long max = 253402300799999999L; // 9999-12-31T23:59:59.999999Z
    List<InternalRow> rows = List.of(
        row(true, -719162, min, min),
        row(false, 2932896, max, max),
        row(null, null, null, null),
        row(true, 0, 0L, -1L),
        row(false, -1, -1L, 1L));
    RoundTrip rt = roundTrip(s, rows);
    assertArrayEquals(new long[] {1, 0, 0, 1, 0}, rt.values(0));
    assertArrayEquals(new long[] {-719162, 2932896, 0, 0, -1}, rt.values(1));
    assertArrayEquals(new long[] {min, max, 0, 0, -1}, rt.values(2));
    assertArrayEquals(new long[] {1, 1, 0, 1, 1}, rt.validity(3));
    assertSameRows(s, rows, rt.decoded());
  }

  @Test
  void stringsAndBinariesKeptAsRawBytesRoundTrip() {
    StructType s = new StructType().add("name", DataTypes.StringType).add("blob", DataTypes.BinaryType);
    String longString = "x".repeat(5000);
    List<InternalRow> rows = List.of(
        row(utf8(""), new byte[0]),
        row(utf8("héllo wörld ✓"), new byte[] {0, -1, 127, -128}),
        row(null, null),
        row(utf8(longString), bytes(longString)),
        row(utf8("a"), new byte[] {1}));
    SecretTableSchema schema = SecretTableSchema.fromSpark(s, 1, F, Set.of("name", "blob"));
    RoundTrip rt = RoundTrip.of(rows, schema, CFG, null, allocator);
    EncodedColumn name = rt.batches().get(0).column("name");
    assertNull(name.values(), "raw bytes have no ring tensor");
    assertArrayEquals(bytes("héllo wörld ✓"), name.bytes().get(1));
    assertNull(name.bytes().get(2));
    assertEquals(0, name.validity().get(2));
    assertSameRows(s, rows, rt.decoded());
  }

  @Test
  void hashedKeysAreEqualExactlyWhenTheBytesAreEqualAndDependOnTheKey() {
    StructType s = new StructType().add("k", DataTypes.StringType).add("b", DataTypes.BinaryType);
    List<InternalRow> rows = List.of(
        row(utf8("alice"), bytes("alice")), row(utf8("bob"), bytes("bob")), row(utf8("alice"), bytes("alice")),
        row(utf8(""), new byte[0]), row(null, null), row(utf8("alice "), bytes("alice ")));
    RoundTrip rt = roundTrip(s, rows);
    long[] k = rt.values(0), b = rt.values(1);
    assertEquals(ColumnEncoding.KEYED_HASH, rt.batches().get(0).column(0).column().encoding());
    assertEquals(k[0], k[2]);
    assertNotEquals(k[0], k[1]);
    assertNotEquals(k[0], k[5]);
    assertEquals(KEY.hash(bytes("alice")), k[0]);
    assertEquals(KEY.hash(new byte[0]), k[3]);
    assertEquals(0, k[4]);
    assertEquals(0, rt.validity(0)[4]);
    assertArrayEquals(k, b, "a string hashes as its UTF-8 bytes");
    // Revealed hashes come back as BIGINT.
    assertEquals(k[1], rt.decoded().get(1).getLong(0));
    assertTrue(rt.decoded().get(4).isNullAt(0));

    byte[] other = new byte[16];
    other[0] = 1;
    long[] k2 = RoundTrip.of(rows, SecretTableSchema.fromSpark(s, 0, F), CFG, new SipHash24(other), allocator).values(0);
    assertNotEquals(k[0], k2[0], "another session key gives other hashes");
  }

  @Test
  void emptyPartitionGivesNoBatchesAndNoRows() {
    StructType s = new StructType().add("l", DataTypes.LongType).add("d", DataTypes.DoubleType).add("k", DataTypes.StringType);
    RoundTrip rt = roundTrip(s, List.of());
    assertEquals(0, rt.batches().size());
    assertEquals(0, rt.decoded().size());
  }

  @Test
  void oneRowPartitionOfEveryTypeRoundTrips() {
    StructType s = new StructType().add("b", DataTypes.ByteType).add("s", DataTypes.ShortType).add("i", DataTypes.IntegerType)
        .add("l", DataTypes.LongType).add("f", DataTypes.FloatType).add("d", DataTypes.DoubleType)
        .add("dec", DataTypes.createDecimalType(10, 2)).add("ok", DataTypes.BooleanType).add("day", DataTypes.DateType)
        .add("ts", DataTypes.TimestampType).add("ntz", DataTypes.TimestampNTZType).add("str", DataTypes.StringType)
        .add("bin", DataTypes.BinaryType);
    List<InternalRow> rows = List.of(row((byte) -5, (short) 300, -70000, 1L << 40, 2.5f, -0.75,
        Decimal.apply(new BigDecimal("-42.17"), 10, 2), true, 19000, 1700000000000000L, 5L, utf8("z"), new byte[] {9}));
    RoundTrip rt = RoundTrip.of(rows, SecretTableSchema.fromSpark(s, 0, F, Set.of("str", "bin")), CFG, null, allocator);
    assertEquals(1, rt.batches().size());
    assertEquals(1, rt.batches().get(0).rowCount());
    assertSameRows(s, rows, rt.decoded()); // 2.5 and -0.75 are dyadic: exact in fixed point
  }

  @Test
  void nullInANotNullColumnIsRejected() {
    StructType s = new StructType().add("id", DataTypes.IntegerType, false);
    ColumnEncodingException e = assertThrows(ColumnEncodingException.class,
        () -> roundTrip(s, List.of(row(1), row(2), row(3), row(4), row((Object) null))));
    assertEquals(4, e.row());
    assertTrue(e.getMessage().contains("NOT NULL"), e.getMessage());
  }

  @Test
  void aBatchBeyondThePartitionAllocatorLimitFailsWithAnActionableErrorAndLeaksNothing() {
    StructType s = new StructType().add("l", DataTypes.LongType);
    List<InternalRow> rows = new ArrayList<>();
    for (long i = 0; i < 20_000; i++) rows.add(row(i));
    BridgeConfig tight = CFG.withBatchRows(20_000).withAllocatorLimit(16 << 10);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RoundTrip.encode(rows, SecretTableSchema.fromSpark(s, 0, F), tight, null, allocator));
    assertTrue(e.getMessage().contains("allocator limit") && e.getMessage().contains("rows per batch"), e.getMessage());
  }
}

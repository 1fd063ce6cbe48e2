package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.Test;

/**
 * ColumnarBatch input: Arrow-backed batches are encoded from their own vectors in windows of the
 * batch size (no copy); other column vectors go through Spark's ArrowWriter. Row numbers continue
 * across input batches.
 */
class ColumnarBatchEncodingTest extends LeakCheckedAllocator {
  static final StructType SCHEMA = new StructType().add("l", DataTypes.LongType).add("d", DataTypes.DoubleType)
      .add("k", DataTypes.StringType);
  static final SecretTableSchema SECRET = SecretTableSchema.fromSpark(SCHEMA, 0, 18);
  static final SipHash24 KEY = new SipHash24(new byte[16]);

  /** An Arrow-backed batch of rows [from, from + n): l = row * 10 (null every 4th), d = row / 4, k = "k" + row. */
  private ColumnarBatch arrowBatch(int from, int n, long overrideAtRow, long override) {
    BigIntVector l = new BigIntVector("l", allocator);
    Float8Vector d = new Float8Vector("d", allocator);
    VarCharVector k = new VarCharVector("k", allocator);
    l.allocateNew(n);
    d.allocateNew(n);
    k.allocateNew(n);
    for (int i = 0; i < n; i++) {
      int r = from + i;
      if (r % 4 == 0) l.setNull(i); else l.set(i, r == overrideAtRow ? override : r * 10L);
      d.set(i, r / 4.0);
      k.setSafe(i, ("k" + r).getBytes(StandardCharsets.UTF_8));
    }
    l.setValueCount(n);
    d.setValueCount(n);
    k.setValueCount(n);
    return new ColumnarBatch(new ColumnVector[] {new ArrowColumnVector(l), new ArrowColumnVector(d), new ArrowColumnVector(k)}, n);
  }

  @Test
  void arrowBackedBatchesAreEncodedInWindowsWithoutCopying() {
    List<ColumnarBatch> input = List.of(arrowBatch(0, 10, -1, 0), arrowBatch(10, 5, -1, 0));
    List<EncodedBatch> out = new ArrayList<>();
    long peak;
    try (PartitionEncoder enc = PartitionEncoder.ofColumnarBatches(input.iterator(), SECRET, BridgeConfig.defaults().withBatchRows(4), KEY, allocator)) {
      while (enc.hasNext()) {
        out.add(enc.next());
        peak = enc.peakDirectBytes();
        assertEquals(0, peak, "Arrow input is read in place: the partition allocator holds nothing");
      }
      assertEquals(15, enc.rowsEncoded());
    } finally {
      input.forEach(ColumnarBatch::close);
    }
    assertEquals(List.of(4, 4, 2, 4, 1), out.stream().map(EncodedBatch::rowCount).toList());
    assertEquals(List.of(0L, 4L, 8L, 10L, 14L), out.stream().map(EncodedBatch::firstRow).toList());
    int r = 0;
    for (EncodedBatch b : out) {
      for (int i = 0; i < b.rowCount(); i++, r++) {
        assertEquals(r % 4 == 0 ? 0 : r * 10L, b.column(0).values().get(i));
        assertEquals(r % 4 == 0 ? 0 : 1, b.column(0).validity().get(i));
        assertEquals(Math.round(r / 4.0 * (1 << 18)), b.column(1).values().get(i));
        assertEquals(KEY.hash(("k" + r).getBytes(StandardCharsets.UTF_8)), b.column(2).values().get(i));
      }
    }
  }

  @Test
  void errorsInArrowBackedBatchesNameThePartitionRow() {
    List<ColumnarBatch> input = List.of(arrowBatch(0, 10, -1, 0), arrowBatch(10, 5, 13, 1L << 62));
    try (PartitionEncoder enc = PartitionEncoder.ofColumnarBatches(input.iterator(), SECRET, BridgeConfig.defaults().withBatchRows(4), KEY, allocator)) {
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class, () -> enc.forEachRemaining(b -> { }));
      assertEquals("l", e.column());
      assertEquals(13, e.row());
    } finally {
      input.forEach(ColumnarBatch::close);
    }
  }

  @Test
  void aNullOutsideTheWindowDoesNotFailANotNullColumnUntilItsWindowComes() {
    SecretTableSchema notNull = SecretTableSchema.fromSpark(new StructType().add("l", DataTypes.LongType, false), 0, 18);
    BigIntVector l = new BigIntVector("l", allocator);
    l.allocateNew(8);
    for (int i = 0; i < 8; i++) if (i == 6) l.setNull(i); else l.set(i, i);
    l.setValueCount(8);
    ColumnarBatch batch = new ColumnarBatch(new ColumnVector[] {new ArrowColumnVector(l)}, 8);
    try (PartitionEncoder enc = PartitionEncoder.ofColumnarBatches(List.of(batch).iterator(), notNull,
        BridgeConfig.defaults().withBatchRows(4), null, allocator)) {
      assertArrayEquals(new long[] {0, 1, 2, 3}, enc.next().column(0).values().data());
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class, enc::next);
      assertEquals(6, e.row());
      assertTrue(e.getMessage().contains("NOT NULL"), e.getMessage());
    } finally {
      batch.close();
    }
  }

  @Test
  void otherColumnVectorsGoThroughSparksArrowWriter() {
    OnHeapColumnVector l = new OnHeapColumnVector(6, DataTypes.LongType);
    OnHeapColumnVector d = new OnHeapColumnVector(6, DataTypes.DoubleType);
    OnHeapColumnVector k = new OnHeapColumnVector(6, DataTypes.StringType);
    for (int i = 0; i < 6; i++) {
      if (i == 2) l.putNull(i); else l.putLong(i, -i);
      d.putDouble(i, i * 0.5);
      byte[] b = ("s" + i).getBytes(StandardCharsets.UTF_8);
      k.putByteArray(i, b);
    }
    ColumnarBatch batch = new ColumnarBatch(new ColumnVector[] {l, d, k}, 6);
    List<EncodedBatch> out = new ArrayList<>();
    try (PartitionEncoder enc = PartitionEncoder.ofColumnarBatches(List.of(batch).iterator(), SECRET,
        BridgeConfig.defaults().withBatchRows(4), KEY, allocator)) {
      enc.forEachRemaining(out::add);
      assertTrue(enc.peakDirectBytes() > 0, "copied into the partition's own Arrow batch");
    } finally {
      batch.close();
    }
    assertEquals(List.of(4, 2), out.stream().map(EncodedBatch::rowCount).toList());
    assertArrayEquals(new long[] {0, -1, 0, -3}, out.get(0).column(0).values().data());
    assertArrayEquals(new long[] {1, 1, 0, 1}, out.get(0).column(0).validity().data());
    assertEquals(5L << 17, out.get(1).column(1).values().get(1), "2.5 * 2^18");
    assertEquals(KEY.hash("s5".getBytes(StandardCharsets.UTF_8)), out.get(1).column(2).values().get(1));
  }

  @Test
  void largeVariableWidthStringsAreHashedAndKeptLikeRegularOnes() {
    StructType st = new StructType().add("h", DataTypes.StringType).add("raw", DataTypes.StringType);
    SecretTableSchema schema = SecretTableSchema.fromSpark(st, 0, 18, Set.of("raw"));
    LargeVarCharVector h = new LargeVarCharVector("h", allocator);
    LargeVarCharVector raw = new LargeVarCharVector("raw", allocator);
    String[] xs = {"alpha", null, ""};
    h.allocateNew(3);
    raw.allocateNew(3);
    for (int i = 0; i < 3; i++) {
      if (xs[i] == null) {
        h.setNull(i);
        raw.setNull(i);
      } else {
        h.setSafe(i, xs[i].getBytes(StandardCharsets.UTF_8));
        raw.setSafe(i, xs[i].getBytes(StandardCharsets.UTF_8));
      }
    }
    h.setValueCount(3);
    raw.setValueCount(3);
    ColumnarBatch batch = new ColumnarBatch(new ColumnVector[] {new ArrowColumnVector(h), new ArrowColumnVector(raw)}, 3);
    try (PartitionEncoder enc = PartitionEncoder.ofColumnarBatches(List.of(batch).iterator(), schema, BridgeConfig.defaults(), KEY, allocator)) {
      EncodedBatch b = enc.next();
      assertArrayEquals(new long[] {KEY.hash("alpha".getBytes(StandardCharsets.UTF_8)), 0, KEY.hash(new byte[0])},
          b.column("h").values().data());
      assertArrayEquals(new long[] {1, 0, 1}, b.column("h").validity().data());
      assertArrayEquals("alpha".getBytes(StandardCharsets.UTF_8), b.column("raw").bytes().get(0));
      assertEquals(null, b.column("raw").bytes().get(1));
      assertEquals(0, b.column("raw").bytes().get(2).length);
    } finally {
      batch.close();
    }
  }

  @Test
  void aBatchWhoseVectorsDoNotMatchTheSchemaIsRejected() {
    StructType other = new StructType().add("l", DataTypes.IntegerType).add("d", DataTypes.DoubleType).add("k", DataTypes.StringType);
    SecretTableSchema wrongType = SecretTableSchema.fromSpark(other, 0, 18);
    List<ColumnarBatch> input = List.of(arrowBatch(0, 3, -1, 0));
    try (PartitionEncoder enc = PartitionEncoder.ofColumnarBatches(input.iterator(), wrongType, BridgeConfig.defaults(), KEY, allocator)) {
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class, enc::hasNext);
      assertEquals("l", e.column());
      assertTrue(e.getMessage().contains("BIGINT") && e.getMessage().contains("INT"), e.getMessage());
    } finally {
      input.forEach(ColumnarBatch::close);
    }
  }
}

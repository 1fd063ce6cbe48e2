package org.sparkspu.arrow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Revealed ring tensors back to Arrow vectors of the column's type: exact integers to
 * TINYINT..BIGINT, DATE, TIMESTAMP, BOOLEAN or DECIMAL (unscaled); fixed point to DOUBLE, FLOAT or
 * DECIMAL (rounded half to even to the scale); hashes to BIGINT; raw bytes to STRING or BINARY. Rows
 * whose validity is 0 become nulls. A revealed value that does not fit the column's type (an INT
 * column whose sum needs 64 bits, a decimal beyond its precision, a BOOLEAN that is not 0/1) is an
 * error naming the column, the row and the limit; declare the result column with a wider type.
 */
public final class RingDecoder {
  private final SecretTableSchema schema;
  private final String timeZoneId;

  public RingDecoder(SecretTableSchema schema, String timeZoneId) {
    this.schema = schema;
    this.timeZoneId = timeZoneId;
  }

  /**
   * A new record batch holding {@code batch} decoded, allocated from {@code allocator}; the caller
   * owns it and closes it.
   */
  public VectorSchemaRoot decode(EncodedBatch batch, BufferAllocator allocator) {
    if (batch.columns().size() != schema.size()) {
      throw new IllegalArgumentException("the batch has " + batch.columns().size() + " columns, the schema " + schema.size());
    }
    List<FieldVector> vectors = new ArrayList<>(schema.size());
    try {
      for (int i = 0; i < schema.size(); i++) {
        EncodedColumn c = batch.column(i);
        if (!c.column().equals(schema.column(i))) {
          throw new IllegalArgumentException("column " + i + " of the batch is " + c.column() + ", the schema expects " + schema.column(i));
        }
        vectors.add(decodeColumn(c, batch.firstRow(), allocator));
      }
    } catch (RuntimeException e) {
      for (FieldVector v : vectors) v.close();
      throw e;
    }
    return new VectorSchemaRoot(vectors);
  }

  /**
   * A Spark ColumnarBatch of {@link ArrowColumnVector}s over {@code root}: closing the batch closes
   * the vectors, so close one or the other, not both.
   */
  public static ColumnarBatch toColumnarBatch(VectorSchemaRoot root) {
    List<FieldVector> vs = root.getFieldVectors();
    ColumnVector[] cols = new ColumnVector[vs.size()];
    for (int i = 0; i < cols.length; i++) cols[i] = new ArrowColumnVector(vs.get(i));
    return new ColumnarBatch(cols, root.getRowCount());
  }

  /** One revealed column as a new vector of its revealed type; {@code firstRow} names rows in errors. */
  public FieldVector decodeColumn(EncodedColumn c, long firstRow, BufferAllocator allocator) {
    SecretColumn col = c.column();
    int n = c.rowCount();
    FieldVector v = newVector(col, allocator);
    try {
      v.setInitialCapacity(n);
      v.allocateNew();
      switch (col.encoding().kind()) {
        case INTEGER -> integers(c, v, firstRow);
        case FIXED_POINT -> fixedPoint(c, v, firstRow);
        case KEYED_HASH -> {
          BigIntVector b = (BigIntVector) v;
          for (int i = 0; i < n; i++) if (c.isValid(i)) b.set(i, c.values().get(i)); else b.setNull(i);
        }
        case RAW_BYTES -> {
          for (int i = 0; i < n; i++) {
            byte[] bytes = c.bytes().get(i);
            if (c.isValid(i) && bytes != null) setBytes(v, i, bytes); else v.setNull(i);
          }
        }
      }
      v.setValueCount(n);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  private FieldVector newVector(SecretColumn col, BufferAllocator a) {
    String name = col.name();
    if (col.encoding().kind() == ColumnEncoding.Kind.KEYED_HASH) return new BigIntVector(name, a);
    LogicalType t = col.type();
    return switch (t.kind()) {
      case TINYINT -> new TinyIntVector(name, a);
      case SMALLINT -> new SmallIntVector(name, a);
      case INT -> new IntVector(name, a);
      case BIGINT -> new BigIntVector(name, a);
      case FLOAT -> new Float4Vector(name, a);
      case DOUBLE -> new Float8Vector(name, a);
      case DECIMAL -> new DecimalVector(name, a, t.precision(), t.scale());
      case BOOLEAN -> new BitVector(name, a);
      case DATE -> new DateDayVector(name, a);
      case TIMESTAMP -> new TimeStampMicroTZVector(name,
          FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, timeZoneId)), a);
      case TIMESTAMP_NTZ -> new TimeStampMicroVector(name, a);
      case STRING -> new VarCharVector(name, a);
      case BINARY -> new VarBinaryVector(name, a);
    };
  }

  private static void setBytes(FieldVector v, int i, byte[] bytes) {
    if (v instanceof VarCharVector s) s.setSafe(i, bytes);
    else ((VarBinaryVector) v).setSafe(i, bytes);
  }

  private void integers(EncodedColumn c, FieldVector v, long firstRow) {
    SecretColumn col = c.column();
    long[] x = c.values().data();
    int n = c.rowCount();
    for (int i = 0; i < n; i++) {
      if (!c.isValid(i)) {
        v.setNull(i);
        continue;
      }
      long x0 = x[i];
      long row = firstRow + i;
      switch (col.type().kind()) {
        case TINYINT -> ((TinyIntVector) v).set(i, (byte) fit(col, row, x0, Byte.MIN_VALUE, Byte.MAX_VALUE));
        case SMALLINT -> ((SmallIntVector) v).set(i, (short) fit(col, row, x0, Short.MIN_VALUE, Short.MAX_VALUE));
        case INT -> ((IntVector) v).set(i, (int) fit(col, row, x0, Integer.MIN_VALUE, Integer.MAX_VALUE));
        case BIGINT -> ((BigIntVector) v).set(i, x0);
        case BOOLEAN -> ((BitVector) v).set(i, (int) fit(col, row, x0, 0, 1));
        case DATE -> ((DateDayVector) v).set(i, (int) fit(col, row, x0, Integer.MIN_VALUE, Integer.MAX_VALUE));
        case TIMESTAMP -> ((TimeStampMicroTZVector) v).set(i, x0);
        case TIMESTAMP_NTZ -> ((TimeStampMicroVector) v).set(i, x0);
        case DECIMAL -> ((DecimalVector) v).set(i, fitPrecision(col, row, x0));
        default -> throw new IllegalStateException("column '" + col.name() + "': " + col.type() + " is not integer-encoded");
      }
    }
  }

  private void fixedPoint(EncodedColumn c, FieldVector v, long firstRow) {
    SecretColumn col = c.column();
    int f = col.encoding().fractionBits();
    double scale = Math.scalb(1.0, -f);
    long[] x = c.values().data();
    int n = c.rowCount();
    for (int i = 0; i < n; i++) {
      if (!c.isValid(i)) {
        v.setNull(i);
        continue;
      }
      switch (col.type().kind()) {
        case DOUBLE -> ((Float8Vector) v).set(i, x[i] * scale);
        case FLOAT -> ((Float4Vector) v).set(i, (float) (x[i] * scale));
        case DECIMAL -> setFixedPointDecimal((DecimalVector) v, i, col, firstRow + i, x[i], f);
        default -> throw new IllegalStateException("column '" + col.name() + "': " + col.type() + " is not fixed-point encoded");
      }
    }
  }

  /** unscaled = round(x * 10^s / 2^f) half to even, then checked against the precision. */
  private static void setFixedPointDecimal(DecimalVector v, int i, SecretColumn col, long row, long x, int f) {
    int s = col.type().scale();
    if (s <= 18) {
      long p = DecimalMath.POW10[s];
      long hi = Math.multiplyHigh(x, p);
      long lo = x * p;
      if (hi == (lo >> 63)) { // x * 10^s fits in a long
        long unscaled = f == 0 ? lo : roundShift(lo, f);
        v.set(i, fitPrecision(col, row, unscaled));
        return;
      }
    }
    BigDecimal d = new BigDecimal(BigInteger.valueOf(x)).multiply(BigDecimal.TEN.pow(s))
        .divide(new BigDecimal(BigInteger.ONE.shiftLeft(f)), 0, RoundingMode.HALF_EVEN);
    if (d.precision() > col.type().precision()) throw precisionError(col, row);
    v.set(i, d.movePointLeft(s));
  }

  /** y / 2^f rounded half to even. */
  private static long roundShift(long y, int f) {
    long q = y >> f;
    long r = y - (q << f); // 0 <= r < 2^f
    long half = 1L << (f - 1);
    if (r > half || (r == half && (q & 1) != 0)) q++;
    return q;
  }

  private static long fit(SecretColumn col, long row, long x, long min, long max) {
    if (x < min || x > max) {
      throw new ColumnEncodingException(col.name(), row, "revealed value outside the range of " + col.type() + " [" + min + ", " + max
          + "]; declare the result column with a wider type");
    }
    return x;
  }

  private static long fitPrecision(SecretColumn col, long row, long unscaled) {
    int p = col.type().precision();
    if (p <= 18 && (unscaled >= DecimalMath.POW10[p] || unscaled <= -DecimalMath.POW10[p])) throw precisionError(col, row);
    return unscaled;
  }

  private static ColumnEncodingException precisionError(SecretColumn col, long row) {
    return new ColumnEncodingException(col.name(), row, "revealed value needs more than the " + col.type().precision()
        + " digits of " + col.type() + "; declare the result column with a wider decimal");
  }
}

package org.sparkspu.arrow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.Types.MinorType;

/**
 * FLOAT and DOUBLE as fixed point: round(x * 2^f) (round half to even, as the engine's FixedPoint),
 * so the decoded value is within 2^-(f+1) of x. NaN and infinities have no encoding and values with
 * |round(x * 2^f)| >= 2^62 are out of range: both are errors naming the column and row.
 */
final class FixedPointColumnEncoder extends AbstractColumnEncoder {
  private final int fractionBits;
  private final double scale;
  private final boolean isFloat;
  private double[] doubleScratch = new double[0];
  private float[] floatScratch = new float[0];

  FixedPointColumnEncoder(SecretColumn column) {
    super(column);
    this.fractionBits = column.encoding().fractionBits();
    this.scale = Math.scalb(1.0, fractionBits);
    this.isFloat = column.type().kind() == LogicalType.Kind.FLOAT;
  }

  @Override
  public EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow) {
    checkVector(vector, isFloat ? MinorType.FLOAT4 : MinorType.FLOAT8);
    long[] valid = validity(vector, offset, count, firstRow);
    double[] x = doubleScratch.length >= count ? doubleScratch : (doubleScratch = new double[count]);
    if (count > 0) {
      int width = isFloat ? 4 : 8;
      ByteBuffer bytes = vector.getDataBuffer().nioBuffer((long) offset * width, count * width).order(ByteOrder.LITTLE_ENDIAN);
      if (isFloat) {
        float[] f = floatScratch.length >= count ? floatScratch : (floatScratch = new float[count]);
        bytes.asFloatBuffer().get(f, 0, count);
        for (int i = 0; i < count; i++) x[i] = f[i];
      } else {
        bytes.asDoubleBuffer().get(x, 0, count);
      }
    }
    if (valid != null) {
      for (int i = 0; i < count; i++) if (valid[i] == 0) x[i] = 0.0; // nulls encode as 0 and are never checked
    }
    long[] out = new long[count];
    final double limit = (double) LIMIT;
    boolean bad = false;
    for (int i = 0; i < count; i++) {
      double s = Math.rint(x[i] * scale);
      bad |= !(Math.abs(s) < limit); // also true for NaN and infinities
      out[i] = (long) s;
    }
    if (bad) reportFirstBad(x, count, firstRow);
    return column(out, valid);
  }

  private void reportFirstBad(double[] x, int count, long firstRow) {
    for (int i = 0; i < count; i++) {
      double v = x[i];
      if (Double.isNaN(v)) throw new ColumnEncodingException(column.name(), firstRow + i, "NaN has no fixed-point encoding");
      if (Double.isInfinite(v)) {
        throw new ColumnEncodingException(column.name(), firstRow + i, (v > 0 ? "+" : "-") + "infinity has no fixed-point encoding");
      }
      if (!(Math.abs(Math.rint(v * scale)) < (double) LIMIT)) {
        throw new ColumnEncodingException(column.name(), firstRow + i, "value outside the fixed-point range |x| < 2^"
            + (62 - fractionBits) + " = " + Math.scalb(1.0, 62 - fractionBits) + " with " + fractionBits + " fraction bits");
      }
    }
    throw new IllegalStateException("no offending value found");
  }
}

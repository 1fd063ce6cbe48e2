package org.sparkspu.arrow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteOrder;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.Types.MinorType;

/**
 * DECIMAL(p, s) from Arrow's 128-bit decimals. As INTEGER: the unscaled value itself, exact, which
 * must satisfy |unscaled| < 2^62 (always true for p <= 18). As FIXED_POINT: round(unscaled * 2^f /
 * 10^s), rounding half to even in exact integer arithmetic (no detour through double), within
 * 2^-(f+1) of the decimal, and |result| < 2^62.
 */
final class DecimalColumnEncoder extends AbstractColumnEncoder {
  private final boolean exact;
  private final int fractionBits;
  private final int scale;
  private final long pow10; // 10^s when s <= 18, else 0
  private final BigInteger bigPow10;
  private long[] scratch = new long[0];

  DecimalColumnEncoder(SecretColumn column) {
    super(column);
    this.exact = column.encoding().kind() == ColumnEncoding.Kind.INTEGER;
    this.fractionBits = column.encoding().fractionBits();
    this.scale = column.type().scale();
    this.pow10 = scale <= 18 ? DecimalMath.POW10[scale] : 0;
    this.bigPow10 = BigInteger.TEN.pow(scale);
  }

  @Override
  public EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow) {
    checkVector(vector, MinorType.DECIMAL);
    DecimalVector dv = (DecimalVector) vector;
    if (dv.getScale() != scale) {
      throw new ColumnEncodingException(column.name(), -1, "Arrow decimal has scale " + dv.getScale() + ", the column " + column.type());
    }
    long[] valid = validity(vector, offset, count, firstRow);
    long[] out = new long[count];
    if (count == 0) return column(out, valid);
    // Bulk copy of the 128-bit little-endian values: (lo, hi) pairs.
    long[] words = scratch.length >= 2 * count ? scratch : (scratch = new long[2 * count]);
    dv.getDataBuffer().nioBuffer((long) offset * DecimalVector.TYPE_WIDTH, count * DecimalVector.TYPE_WIDTH)
        .order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words, 0, 2 * count);
    for (int i = 0; i < count; i++) {
      if (!present(valid, i)) continue;
      long lo = words[2 * i];
      long hi = words[2 * i + 1];
      boolean fitsLong = hi == (lo >> 63);
      out[i] = exact ? exact(lo, fitsLong, firstRow + i) : fixedPoint(lo, hi, fitsLong, firstRow + i);
    }
    return column(out, valid);
  }

  private long exact(long unscaled, boolean fitsLong, long row) {
    if (!fitsLong || unscaled >= LIMIT || unscaled <= -LIMIT) {
      throw new ColumnEncodingException(column.name(), row, "unscaled decimal outside the exact integer range |unscaled| < 2^62 = "
          + LIMIT + " for " + column.type() + "; encode the column as fixed point instead");
    }
    return unscaled;
  }

  private long fixedPoint(long lo, long hi, boolean fitsLong, long row) {
    // Fast path: unscaled * 2^f fits in 62 bits and 10^s in a long.
    long bound = LIMIT >> fractionBits;
    if (fitsLong && pow10 != 0 && lo < bound && lo > -bound) {
      return DecimalMath.divideRoundHalfEven(lo << fractionBits, pow10);
    }
    BigInteger unscaled = BigInteger.valueOf(hi).shiftLeft(64).or(BigInteger.valueOf(lo).and(DecimalMath.MASK64));
    BigInteger scaled = new BigDecimal(unscaled.shiftLeft(fractionBits))
        .divide(new BigDecimal(bigPow10), 0, RoundingMode.HALF_EVEN).toBigIntegerExact();
    if (scaled.abs().compareTo(DecimalMath.BIG_LIMIT) >= 0) {
      throw new ColumnEncodingException(column.name(), row, "value outside the fixed-point range |x| < 2^" + (62 - fractionBits)
          + " = " + Math.scalb(1.0, 62 - fractionBits) + " with " + fractionBits + " fraction bits (" + column.type() + ")");
    }
    return scaled.longValue();
  }
}

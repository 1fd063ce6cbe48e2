package org.sparkspu.engine.hal;

import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Fixed-point encoding of reals in Z_2^64: x is stored as round(x * 2^f) in two's complement.
 * Encodable values satisfy |x * 2^f| < 2^62, SPU's safe range, which keeps every difference of two
 * encodable values below 2^63 so that sign-bit comparisons are exact. Anything else (out of range,
 * NaN, infinity) is an error naming the value's position; nothing ever wraps silently.
 */
public final class FixedPoint {
  /** Largest magnitude of an encoded value, exclusive: 2^62. */
  public static final long LIMIT = 1L << 62;

  private final int fractionBits;
  private final double scale;

  public FixedPoint(int fractionBits) {
    if (fractionBits < 0 || fractionBits > 60) throw new IllegalArgumentException("fraction bits must be in [0, 60]");
    this.fractionBits = fractionBits;
    this.scale = Math.scalb(1.0, fractionBits);
  }

  public int fractionBits() {
    return fractionBits;
  }

  /** Largest encodable magnitude as a real: 2^(62 - f). */
  public double maxMagnitude() {
    return Math.scalb(1.0, 62 - fractionBits);
  }

  public long encode(double x) {
    return encode(x, "value", 0);
  }

  /** Encodes one real; {@code what} and {@code index} name it in the error. */
  public long encode(double x, String what, long index) {
    if (Double.isNaN(x)) throw new EncodingException(what + " at position " + index + " is NaN, which has no fixed-point encoding");
    if (Double.isInfinite(x)) throw new EncodingException(what + " at position " + index + " is " + x + ", which has no fixed-point encoding");
    double scaled = Math.rint(x * scale);
    if (!(Math.abs(scaled) < (double) LIMIT)) {
      throw new EncodingException(what + " at position " + index + " is " + x + ", outside the encodable range |x| < 2^"
          + (62 - fractionBits) + " = " + maxMagnitude() + " with " + fractionBits + " fraction bits");
    }
    return (long) scaled;
  }

  public RingTensor encode(double[] xs, Shape shape, String what) {
    if (xs.length != shape.size()) throw new IllegalArgumentException(what + ": " + xs.length + " values for shape " + shape);
    long[] r = new long[xs.length];
    for (int i = 0; i < xs.length; i++) r[i] = encode(xs[i], what, i);
    return RingTensor.wrap(r, shape);
  }

  public RingTensor encode(double... xs) {
    return encode(xs, Shape.vector(xs.length), "value");
  }

  public double decode(long v) {
    return v / scale;
  }

  public double[] decode(RingTensor t) {
    long[] d = t.data();
    double[] r = new double[d.length];
    for (int i = 0; i < d.length; i++) r[i] = d[i] / scale;
    return r;
  }

  /** Integers are encoded with f = 0, exact; the same 2^62 range applies. */
  public static long encodeInteger(long x, String what, long index) {
    if (x >= LIMIT || x <= -LIMIT) {
      throw new EncodingException(what + " at position " + index + " is " + x + ", outside the encodable integer range |x| < 2^62");
    }
    return x;
  }

  public static RingTensor encodeIntegers(long[] xs, Shape shape, String what) {
    long[] r = new long[xs.length];
    for (int i = 0; i < xs.length; i++) r[i] = encodeInteger(xs[i], what, i);
    return RingTensor.wrap(r, shape);
  }
}

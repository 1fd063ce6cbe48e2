package org.sparkspu.arrow;

import java.math.BigInteger;

/** Exact integer helpers shared by decimal encoding and decoding. */
final class DecimalMath {
  /** 10^0 .. 10^18, every power of ten that fits in a long. */
  static final long[] POW10 = new long[19];
  static final BigInteger BIG_LIMIT = BigInteger.ONE.shiftLeft(62);
  static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
  }

  private DecimalMath() {}

  /** n / d rounded half to even, for d in (0, 2^62). */
  static long divideRoundHalfEven(long n, long d) {
    long q = Math.floorDiv(n, d);
    long r = n - q * d; // 0 <= r < d
    long twice = r << 1;
    if (twice > d || (twice == d && (q & 1) != 0)) q++;
    return q;
  }
}

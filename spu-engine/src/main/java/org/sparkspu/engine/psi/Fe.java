package org.sparkspu.engine.psi;

import java.math.BigInteger;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * Helpers over Bouncy Castle's GF(2^255 - 19) arithmetic ({@link X25519Field}: ten signed int
 * limbs, radix 2^25.5): the constants and the few operations BC keeps private. Field elements are
 * int[10]; products are carried, sums of two carried values may go straight into mul/sqr (as in
 * BC's own ladder), and {@link #canonical} reduces fully before any comparison or encoding.
 */
final class Fe {
  static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

  private Fe() {}

  static int[] of(BigInteger v) {
    byte[] le = toLittleEndian32(v.mod(P));
    int[] z = X25519Field.create();
    X25519Field.decode(le, 0, z);
    return z;
  }

  static int[] of(long v) {
    return of(BigInteger.valueOf(v));
  }

  static BigInteger toBigInteger(int[] x) {
    byte[] le = new byte[32];
    encode(x, le, 0);
    byte[] be = new byte[33];
    for (int i = 0; i < 32; i++) be[32 - i] = le[i];
    return new BigInteger(be);
  }

  /** 32 little-endian bytes of v, 0 <= v < 2^256. */
  static byte[] toLittleEndian32(BigInteger v) {
    byte[] be = v.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) le[i] = be[be.length - 1 - i];
    return le;
  }

  static int[] copy(int[] x) {
    return x.clone();
  }

  /** Fully reduces x in place (to the unique representative in [0, p)). */
  static void canonical(int[] x) {
    X25519Field.carry(x);
    X25519Field.normalize(x);
  }

  /** Encodes x (any representation) as 32 canonical little-endian bytes; x is reduced in place. */
  static void encode(int[] x, byte[] out, int off) {
    canonical(x);
    X25519Field.encode(x, out, off);
  }

  /** -1 if a == b as field elements, else 0 (constant time); both are reduced in place. */
  static int equal(int[] a, int[] b) {
    canonical(a);
    canonical(b);
    return X25519Field.areEqual(a, b);
  }

  /** RFC 9380 section 4.1 sgn0 for GF(p): the parity of the canonical value; x is reduced in place. */
  static int sgn0(int[] x) {
    canonical(x);
    return x[0] & 1;
  }

  /**
   * z = x^((p-5)/8) = x^(2^252 - 3), the exponent of the combined square-root-and-ratio trick for
   * p = 5 (mod 8) (RFC 9380 appendix G.2.1). Addition chain 1 2 3 5 10 15 25 50 75 125 250, then two
   * squarings and one multiplication: 252 squarings and 12 multiplications.
   */
  static void powPm5d8(int[] x, int[] z, int[][] t) {
    int[] x2 = t[0], x3 = t[1], x5 = t[2], x10 = t[3], x15 = t[4], x25 = t[5], x50 = t[6], x75 = t[7],
        x125 = t[8], x250 = t[9];
    X25519Field.sqr(x, x2);
    X25519Field.mul(x, x2, x2); // 2 ones
    X25519Field.sqr(x2, x3);
    X25519Field.mul(x, x3, x3); // 3
    X25519Field.sqr(x3, 2, x5);
    X25519Field.mul(x2, x5, x5); // 5
    X25519Field.sqr(x5, 5, x10);
    X25519Field.mul(x5, x10, x10); // 10
    X25519Field.sqr(x10, 5, x15);
    X25519Field.mul(x5, x15, x15); // 15
    X25519Field.sqr(x15, 10, x25);
    X25519Field.mul(x10, x25, x25); // 25
    X25519Field.sqr(x25, 25, x50);
    X25519Field.mul(x25, x50, x50); // 50
    X25519Field.sqr(x50, 25, x75);
    X25519Field.mul(x25, x75, x75); // 75
    X25519Field.sqr(x75, 50, x125);
    X25519Field.mul(x50, x125, x125); // 125
    X25519Field.sqr(x125, 125, x250);
    X25519Field.mul(x125, x250, x250); // 250 ones
    X25519Field.sqr(x250, 2, x250); // ...1111100
    X25519Field.mul(x250, x, z); // ...1111101 = 2^252 - 3
  }

  /** Scratch for {@link #powPm5d8}. */
  static int[][] powScratch() {
    int[][] t = new int[10][];
    for (int i = 0; i < t.length; i++) t[i] = X25519Field.create();
    return t;
  }
}

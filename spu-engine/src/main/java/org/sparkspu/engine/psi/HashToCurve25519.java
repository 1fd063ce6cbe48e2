package org.sparkspu.engine.psi;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.IntFunction;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * Hashing byte strings to curve25519 after RFC 9380 (Faz-Hernandez et al., "Hashing to Elliptic
 * Curves", 2023): suites {@code curve25519_XMD:SHA-512_ELL2_RO_} (hash_to_curve, section 3: two
 * field elements, two Elligator 2 maps, one point addition; indifferentiable from a random oracle)
 * and {@code curve25519_XMD:SHA-512_ELL2_NU_} (encode_to_curve: one map). Elligator 2 is due to
 * Bernstein, Hamburg, Krasnova and Lange (CCS 2013); the map is the straight-line version of RFC
 * 9380 appendix G.2.1, which needs one exponentiation and no inversion.
 *
 * <p>The output is the Montgomery u-coordinate, little-endian (RFC 7748), of the point BEFORE
 * cofactor clearing (Q0 + Q1, or Q). PSI feeds it straight to X25519, whose clamped scalars are
 * multiples of the cofactor 8, so {@code X25519(k, u)} is u([k/8] * P) for the RFC's P = 8 * (Q0 + Q1):
 * the clearing is folded into the blinding. {@link #clearCofactor} exists for the RFC test vectors.
 *
 * <p>Field arithmetic is Bouncy Castle's {@link X25519Field}; the affine conversions of a batch
 * share one inversion (Montgomery's trick). Not thread-safe: one instance per worker.
 */
final class HashToCurve25519 {
  /** RFC 9380 suite identifiers; the DST of a PSI session names one of them. */
  static final String SUITE_RO = "curve25519_XMD:SHA-512_ELL2_RO_";
  static final String SUITE_NU = "curve25519_XMD:SHA-512_ELL2_NU_";

  private static final int L = 48; // ceil((ceil(log2 p) + k) / 8) with k = 128 (RFC 9380 section 5)
  private static final int B_IN_BYTES = 64; // SHA-512 output
  private static final int S_IN_BYTES = 128; // SHA-512 block

  private static final int[] J = Fe.of(486662); // Montgomery A
  private static final int[] C2 = Fe.of(BigInteger.TWO.modPow(Fe.P.add(BigInteger.valueOf(3)).shiftRight(3), Fe.P));
  private static final int[] C3 = Fe.of(BigInteger.TWO.modPow(Fe.P.subtract(BigInteger.ONE).shiftRight(2), Fe.P)); // sqrt(-1)
  private static final int A24 = 121666; // (A + 2) / 4 for x-only doubling

  private final boolean randomOracle;
  private final byte[] dstPrime;
  private final MessageDigest sha512;
  private final MessageDigest afterZpad; // SHA-512 state having absorbed Z_pad, cloned per message
  private final int[][] pow = Fe.powScratch();
  private final int[] tv1 = X25519Field.create(), tv2 = X25519Field.create(), tv3 = X25519Field.create(),
      gxd = X25519Field.create(), gx1 = X25519Field.create(), gx2 = X25519Field.create(),
      x1n = X25519Field.create(), x2n = X25519Field.create(), y11 = X25519Field.create(),
      y12 = X25519Field.create(), y21 = X25519Field.create(), y22 = X25519Field.create(),
      y1 = X25519Field.create(), y2 = X25519Field.create(), negY = X25519Field.create();
  private final int[] u0 = X25519Field.create(), u1 = X25519Field.create();
  private final int[] xn0 = X25519Field.create(), xd0 = X25519Field.create(), yy0 = X25519Field.create();
  private final int[] xn1 = X25519Field.create(), xd1 = X25519Field.create(), yy1 = X25519Field.create();
  private final int[] s = X25519Field.create(), t = X25519Field.create(), e = X25519Field.create(),
      d = X25519Field.create(), n = X25519Field.create(), w = X25519Field.create();
  private final byte[] uniform = new byte[2 * L];
  private final byte[] le = new byte[32];
  private final byte[] hi = new byte[32];

  /**
   * @param dst domain separation tag (RFC 9380 section 3.1); longer than 255 bytes it is hashed as
   *     section 5.3.3 prescribes
   * @param randomOracle true for hash_to_curve (RO), false for encode_to_curve (NU)
   */
  HashToCurve25519(byte[] dst, boolean randomOracle) {
    this.randomOracle = randomOracle;
    try {
      sha512 = MessageDigest.getInstance("SHA-512");
      byte[] tag = dst;
      if (tag.length > 255) {
        sha512.update("H2C-OVERSIZE-DST-".getBytes(StandardCharsets.US_ASCII));
        tag = sha512.digest(tag);
      }
      dstPrime = new byte[tag.length + 1];
      System.arraycopy(tag, 0, dstPrime, 0, tag.length);
      dstPrime[tag.length] = (byte) tag.length;
      afterZpad = MessageDigest.getInstance("SHA-512");
      afterZpad.update(new byte[S_IN_BYTES]);
      afterZpad.clone(); // fail here, not per message, if this provider's digest cannot be cloned
    } catch (NoSuchAlgorithmException | CloneNotSupportedException ex) {
      throw new IllegalStateException("SHA-512 with clone() is required for hashing to curve25519", ex);
    }
  }

  /**
   * Hashes {@code msg.apply(i)} for i in [from, to) and writes each u-coordinate (32 bytes,
   * little-endian, canonical) to {@code out} at {@code outOff + 32 * (i - from)}.
   */
  void hash(IntFunction<byte[]> msg, int from, int to, byte[] out, int outOff) {
    int count = to - from;
    int[][] num = new int[count][];
    int[][] den = new int[count][];
    for (int i = 0; i < count; i++) {
      num[i] = X25519Field.create();
      den[i] = X25519Field.create();
      fraction(msg.apply(from + i), num[i], den[i]);
    }
    batchInvert(den);
    for (int i = 0; i < count; i++) {
      X25519Field.mul(num[i], den[i], num[i]);
      Fe.encode(num[i], out, outOff + 32 * i);
    }
  }

  /** The u-coordinate of one message (test and diagnostic use; {@link #hash} batches the inversion). */
  byte[] hash(byte[] msg) {
    byte[] out = new byte[32];
    hash(i -> msg, 0, 1, out, 0);
    return out;
  }

  /** u = num / den of the point before cofactor clearing. */
  private void fraction(byte[] message, int[] num, int[] den) {
    if (!randomOracle) {
      hashToField(message, 1);
      map(u0, num, den, yy0);
      return;
    }
    hashToField(message, 2);
    map(u0, xn0, xd0, yy0);
    map(u1, xn1, xd1, yy1);
    addU(num, den);
  }

  /**
   * u-coordinate of Q0 + Q1 as a fraction, from the affine chord rule lambda = (y1 - y0) / (x1 - x0),
   * u = lambda^2 - A - x0 - x1, with x_i = xn_i / xd_i put over the common denominator
   * D^2 * xd0 * xd1 where D = xn1 * xd0 - xn0 * xd1.
   */
  private void addU(int[] num, int[] den) {
    X25519Field.mul(xn0, xd1, s);
    X25519Field.mul(xn1, xd0, t);
    X25519Field.sub(t, s, d); // D
    X25519Field.carry(d);
    if (X25519Field.isZeroVar(copyCanonical(d, w))) {
      equalX(num, den);
      return;
    }
    X25519Field.mul(xd0, xd1, e);
    X25519Field.sub(yy1, yy0, n);
    X25519Field.mul(n, e, n); // N = (y1 - y0) * xd0 * xd1, lambda = N / D
    X25519Field.sqr(n, n);
    X25519Field.mul(n, e, n); // N^2 * e
    X25519Field.mul(J, e, w);
    X25519Field.add(w, s, w);
    X25519Field.add(w, t, w);
    X25519Field.carry(w); // A*e + xn0*xd1 + xn1*xd0
    X25519Field.sqr(d, d);
    X25519Field.mul(w, d, w);
    X25519Field.sub(n, w, num);
    X25519Field.carry(num);
    X25519Field.mul(d, e, den);
  }

  /**
   * Q0 and Q1 share their x-coordinate: probability about 2^-252 for honest inputs, but handled
   * exactly. Equal points double (x-only: u(2Q) = (u^2 - 1)^2 / (4u(u^2 + Au + 1))); opposite points
   * sum to the identity, which has no u-coordinate.
   */
  private void equalX(int[] num, int[] den) {
    if (Fe.equal(copyCanonical(yy0, y1), copyCanonical(yy1, y2)) == 0) {
      throw new IllegalStateException("hash to curve met Q0 = -Q1 (probability about 2^-252): no u-coordinate");
    }
    doubleU(xn0, xd0, num, den);
  }

  /** x-only doubling on curve25519 (RFC 7748 ladder formulas): (X : Z) to (X2 : Z2). */
  static void doubleU(int[] x, int[] z, int[] x2, int[] z2) {
    int[] a = X25519Field.create(), b = X25519Field.create(), c = X25519Field.create();
    X25519Field.add(x, z, a);
    X25519Field.sqr(a, a); // (X+Z)^2
    X25519Field.sub(x, z, b);
    X25519Field.sqr(b, b); // (X-Z)^2
    X25519Field.sub(a, b, c); // 4XZ
    X25519Field.carry(c);
    X25519Field.mul(a, b, x2);
    X25519Field.mul(c, A24, z2);
    X25519Field.add(z2, b, z2);
    X25519Field.mul(z2, c, z2);
  }

  /** u(8 * Q) from u(Q): the RFC's clear_cofactor for curve25519, x-only (used against test vectors). */
  static byte[] clearCofactor(byte[] u) {
    int[] x = X25519Field.create(), z = X25519Field.create();
    X25519Field.decode(u, 0, x);
    X25519Field.one(z);
    for (int i = 0; i < 3; i++) doubleU(x, z, x, z);
    X25519Field.inv(z, z);
    X25519Field.mul(x, z, x);
    byte[] out = new byte[32];
    Fe.encode(x, out, 0);
    return out;
  }

  private static int[] copyCanonical(int[] x, int[] into) {
    X25519Field.copy(x, 0, into, 0);
    Fe.canonical(into);
    return into;
  }

  /** RFC 9380 section 5.2 hash_to_field with expand_message_xmd(SHA-512), m = 1, L = 48: into u0 (and u1). */
  private void hashToField(byte[] message, int count) {
    expandMessageXmd(message, count * L, uniform);
    reduce(uniform, 0, u0);
    if (count == 2) reduce(uniform, L, u1);
  }

  /** hash_to_field alone, as integers (for the RFC's u[0], u[1] test vectors). */
  BigInteger[] hashToFieldForTest(byte[] message, int count) {
    hashToField(message, count);
    return count == 1 ? new BigInteger[] {Fe.toBigInteger(u0.clone())}
        : new BigInteger[] {Fe.toBigInteger(u0.clone()), Fe.toBigInteger(u1.clone())};
  }

  /** OS2IP of 48 big-endian bytes, mod p: value = a + 2^255 * b with 2^255 = 19 (mod p). */
  private void reduce(byte[] bigEndian, int off, int[] z) {
    for (int i = 0; i < 32; i++) le[i] = bigEndian[off + L - 1 - i];
    X25519Field.decode(le, 0, z); // the low 255 bits
    // b = value >> 255: bit 255 is the top bit of byte 31; bytes 32..47 give bits 256..383.
    java.util.Arrays.fill(hi, (byte) 0);
    int prev = (le[31] & 0xFF) >>> 7;
    for (int i = 0; i < 16; i++) {
      int next = bigEndian[off + L - 33 - i] & 0xFF; // little-endian byte 32 + i
      hi[i] = (byte) (prev | (next << 1));
      prev = next >>> 7;
    }
    hi[16] = (byte) prev;
    X25519Field.decode(hi, 0, w);
    X25519Field.mul(w, 19, w);
    X25519Field.add(z, w, z);
    X25519Field.carry(z);
  }

  /** RFC 9380 section 5.3.1 expand_message_xmd with SHA-512 (len_in_bytes <= 128 here). */
  void expandMessageXmd(byte[] message, int lenInBytes, byte[] out) {
    int ell = (lenInBytes + B_IN_BYTES - 1) / B_IN_BYTES;
    MessageDigest h = cloneAfterZpad();
    h.update(message);
    h.update((byte) (lenInBytes >>> 8));
    h.update((byte) lenInBytes);
    h.update((byte) 0);
    h.update(dstPrime);
    byte[] b0 = h.digest();
    byte[] prev = null;
    for (int i = 1; i <= ell; i++) {
      byte[] in = i == 1 ? b0 : xor(b0, prev);
      sha512.update(in);
      sha512.update((byte) i);
      sha512.update(dstPrime);
      prev = sha512.digest();
      System.arraycopy(prev, 0, out, (i - 1) * B_IN_BYTES, Math.min(B_IN_BYTES, lenInBytes - (i - 1) * B_IN_BYTES));
    }
  }

  private MessageDigest cloneAfterZpad() {
    try {
      return (MessageDigest) afterZpad.clone();
    } catch (CloneNotSupportedException ex) {
      throw new IllegalStateException(ex); // checked in the constructor
    }
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] r = new byte[a.length];
    for (int i = 0; i < a.length; i++) r[i] = (byte) (a[i] ^ b[i]);
    return r;
  }

  /**
   * RFC 9380 appendix G.2.1, map_to_curve_elligator2_curve25519(u): the point (xn / xd, y) with y
   * affine. Constant time in u: one exponentiation and conditional moves.
   */
  void map(int[] u, int[] xn, int[] xd, int[] y) {
    X25519Field.sqr(u, tv1);
    X25519Field.add(tv1, tv1, tv1); // 2u^2
    X25519Field.carry(tv1);
    X25519Field.copy(tv1, 0, xd, 0);
    X25519Field.addOne(xd); // 1 + 2u^2, nonzero: -1/2 is not a square mod p
    X25519Field.negate(J, x1n); // x1 = -A / (1 + 2u^2)
    X25519Field.sqr(xd, tv2);
    X25519Field.mul(tv2, xd, gxd); // xd^3
    X25519Field.mul(J, tv1, gx1); // x1n + A * xd
    X25519Field.mul(gx1, x1n, gx1);
    X25519Field.add(gx1, tv2, gx1);
    X25519Field.carry(gx1);
    X25519Field.mul(gx1, x1n, gx1); // g(x1) * xd^3
    X25519Field.sqr(gxd, tv3);
    X25519Field.sqr(tv3, tv2); // gxd^4
    X25519Field.mul(tv3, gxd, tv3); // gxd^3
    X25519Field.mul(tv3, gx1, tv3); // gx1 * gxd^3
    X25519Field.mul(tv2, tv3, tv2); // gx1 * gxd^7
    Fe.powPm5d8(tv2, y11, pow); // (gx1 * gxd^7)^((p-5)/8)
    X25519Field.mul(y11, tv3, y11); // candidate sqrt of gx1 / gxd, up to a factor sqrt(-1)
    X25519Field.mul(y11, C3, y12);
    X25519Field.sqr(y11, tv2);
    X25519Field.mul(tv2, gxd, tv2);
    int e1 = Fe.equal(tv2, gx1);
    X25519Field.copy(y12, 0, y1, 0);
    X25519Field.cmov(e1, y11, 0, y1, 0); // if g(x1) is square, y1 is its root
    X25519Field.mul(x1n, tv1, x2n); // x2 = -x1 - A = 2u^2 * x1
    X25519Field.mul(y11, u, y21);
    X25519Field.mul(y21, C2, y21);
    X25519Field.mul(y21, C3, y22);
    X25519Field.mul(gx1, tv1, gx2); // g(x2) = 2u^2 * g(x1) (over gxd)
    X25519Field.sqr(y21, tv2);
    X25519Field.mul(tv2, gxd, tv2);
    int e2 = Fe.equal(tv2, gx2);
    X25519Field.copy(y22, 0, y2, 0);
    X25519Field.cmov(e2, y21, 0, y2, 0);
    X25519Field.sqr(y1, tv2);
    X25519Field.mul(tv2, gxd, tv2);
    int e3 = Fe.equal(tv2, gx1); // x1 is on the curve
    X25519Field.copy(x2n, 0, xn, 0);
    X25519Field.cmov(e3, x1n, 0, xn, 0);
    X25519Field.copy(y2, 0, y, 0);
    X25519Field.cmov(e3, y1, 0, y, 0);
    // Sign: sgn0(y) = 1 for x1, 0 for x2 (RFC 9380 section 6.7.1).
    int e4 = -Fe.sgn0(y);
    X25519Field.negate(y, negY);
    Fe.canonical(negY);
    X25519Field.cmov(e3 ^ e4, negY, 0, y, 0);
  }

  /** Replaces every element by its inverse with one field inversion (Montgomery's trick). */
  static void batchInvert(int[][] x) {
    int count = x.length;
    if (count == 0) return;
    int[][] prefix = new int[count][];
    prefix[0] = x[0].clone();
    for (int i = 1; i < count; i++) {
      prefix[i] = X25519Field.create();
      X25519Field.mul(prefix[i - 1], x[i], prefix[i]);
    }
    int[] inv = X25519Field.create();
    X25519Field.inv(prefix[count - 1], inv);
    int[] tmp = X25519Field.create();
    for (int i = count - 1; i > 0; i--) {
      X25519Field.mul(inv, prefix[i - 1], tmp); // 1 / x[i]
      X25519Field.mul(inv, x[i], inv); // 1 / (x[0] ... x[i-1])
      X25519Field.copy(tmp, 0, x[i], 0);
    }
    X25519Field.copy(inv, 0, x[0], 0);
  }
}

package org.sparkspu.engine.psi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * One party's secret exponent for commutative blinding, x -> x^k in the prime-order subgroup of
 * curve25519, computed as X25519 (RFC 7748 section 5) on u-coordinates. X25519 clamps k to
 * 2^254 + 8 * (k' mod 2^251): the factor 8 clears the cofactor, so every output lies in the
 * subgroup of prime order l whatever the input's small-order part, and blinding commutes:
 * X25519(a, X25519(b, u)) = X25519(b, X25519(a, u)) = u([a * b] P) (x-only, so P and -P, which
 * share u, are one element; a hash-to-curve output collides with the negation of another with
 * probability about 2^-252). Fresh per run (a SecureRandom draw); {@link #destroy} wipes it.
 */
final class Blinding {
  static final int POINT = 32;
  static final int TAG = 16;

  private final byte[] scalar = new byte[X25519.SCALAR_SIZE];

  Blinding(SecureRandom random) {
    random.nextBytes(scalar);
  }

  /** out[outOff..+32) = X25519(k, in[inOff..+32)); the arrays may be the same (not overlapping ranges). */
  void blind(byte[] in, int inOff, byte[] out, int outOff) {
    X25519.scalarMult(scalar, 0, in, inOff, out, outOff);
  }

  void destroy() {
    Arrays.fill(scalar, (byte) 0);
  }

  /** True if the 32 bytes encode a u-coordinate below p = 2^255 - 19 (the canonical encoding). */
  static boolean canonical(byte[] u, int off) {
    if ((u[off + 31] & 0xFF) < 0x7F) return true;
    if ((u[off + 31] & 0xFF) > 0x7F) return false;
    for (int i = 30; i >= 1; i--) if ((u[off + i] & 0xFF) != 0xFF) return true;
    return (u[off] & 0xFF) < 0xED;
  }

  /** True if all 32 bytes are zero: X25519 of a small-order point (the identity after clamping). */
  static boolean isZero(byte[] u, int off) {
    int acc = 0;
    for (int i = 0; i < POINT; i++) acc |= u[off + i];
    return acc == 0;
  }

  /** SHA-256 for the comparison tags, one per worker. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required", e);
    }
  }

  /**
   * The comparison tag of a doubly-blinded point: the first 128 bits of SHA-256(u), written to
   * {@code out}. 128 bits keep a false match below 2^-128 * n_a * n_b.
   */
  static void tag(MessageDigest sha256, byte[] u, int uOff, byte[] out, int outOff) {
    sha256.update(u, uOff, POINT);
    byte[] h = sha256.digest();
    System.arraycopy(h, 0, out, outOff, TAG);
  }
}

package org.sparkspu.engine.hal;

import java.util.Collections;
import java.util.List;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.Shape;

/**
 * Helpers on boolean (XOR) shares of 64-bit words shared by the normalising functions of this
 * package ({@link Fxp}'s reciprocal and division, {@link WideDivision}). Shifts of XOR shares are
 * local: shifting every share shifts the shared word.
 */
final class BoolWords {
  private BoolWords() {}

  static Share shl(Share x, int k) {
    return x.map(t -> t.shiftLeft(k));
  }

  static Share shr(Share x, int k) {
    return x.map(t -> t.shiftRightLogical(k));
  }

  /** y_i = OR of bits i..63 of x: six AND rounds, OR(a, b) = a ^ b ^ (a & b). */
  static Share prefixOr(Protocol p, Share x) {
    Share y = x;
    for (int k = 1; k < 64; k <<= 1) {
      Share z = shr(y, k);
      y = p.xorB(p.xorB(y, z), p.andB(y, z));
    }
    return y;
  }

  /** The highest set bit alone, from a prefix-OR word (local). */
  static Share oneHot(Protocol p, Share prefixOr) {
    return p.xorB(prefixOr, shr(prefixOr, 1));
  }

  /** Splits a concatenation of {@code k} vectors of {@code n} elements. */
  static List<Share> split(Share s, int k, int n) {
    return s.split(Collections.nCopies(k, Shape.vector(n)));
  }
}

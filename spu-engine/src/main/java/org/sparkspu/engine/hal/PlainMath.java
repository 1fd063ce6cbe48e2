package org.sparkspu.engine.hal;

import org.sparkspu.engine.ring.RingTensor;

/**
 * The complex functions on plaintext (public values, or a party's own private values): decode,
 * evaluate exactly in double precision, encode (as SPU's f_exp_p and friends). A result that has
 * no encoding (log of 0, 1/0, overflow) is an error naming the function and the position; the
 * value itself is never put in the message, since a private value is its owner's secret.
 */
public final class PlainMath {
  private PlainMath() {}

  /**
   * Applies {@code fn} element-wise. {@code argScales[i]} is the fraction bits of argument i
   * (f for fixed point, 0 for integers); the result is fixed point.
   */
  public static RingTensor apply(Fn fn, FixedPoint fp, int[] argScales, RingTensor... args) {
    int n = args[0].size();
    long[] out = new long[n];
    double[] x = new double[args.length];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < args.length; a++) x[a] = Math.scalb((double) args[a].get(i), -argScales[a]);
      double y = fn.reference(x);
      double scaled = Math.rint(Math.scalb(y, fp.fractionBits()));
      if (Double.isNaN(y) || !(Math.abs(scaled) < (double) FixedPoint.LIMIT)) {
        throw new EncodingException(fn.label() + " at position " + i + " has no fixed-point result (outside the function's"
            + " domain or the encodable range |y| < 2^" + (62 - fp.fractionBits()) + ")");
      }
      out[i] = (long) scaled;
    }
    return RingTensor.wrap(out, args[0].shape());
  }
}

package org.sparkspu.engine.hal;

/** How {@link Fxp#exp} approximates e^x on secrets (public and private values are exact). */
public enum ExpMode {
  /**
   * SPU's default: (1 + x/2^n)^(2^n) with n = 8 squarings. Input clamped to [-256, 8]; within SPU's
   * tolerance (rtol 0.01, atol 0.001) on about [-17, 2.2]. 28 rounds in aby3.
   */
  TAYLOR,
  /**
   * Range reduction e^x = 2^i * 2^phi: the integer part i from 51 comparisons against k*ln 2 in one
   * vectorised less-than, 2^phi by a degree-5 polynomial. Relative error about 1e-5 on
   * [-12.4, 22.18]; below, 0 (the true value is under one ulp); above, saturates at 2^32 = e^22.18
   * (SPU's Pade variant clamps at the same point). 20 rounds in aby3.
   */
  WIDE
}

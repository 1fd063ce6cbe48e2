package org.sparkspu.engine.hal;

/** SPU's sigmoid modes. */
public enum SigmoidMode {
  /** 0.5 + 0.125 x: one truncation, unbounded (leaves [0, 1] outside +-4 by definition). */
  MM1,
  /** MM1 clamped: 0 below -4, 1 above 4 (one vectorised comparison, one product). */
  SEG3,
  /** 1 / (1 + e^-x) to about 1e-4 absolute on the whole encodable range. */
  REAL
}

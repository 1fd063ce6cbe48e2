package org.sparkspu.engine.mpc;

/** The communicating kernels of a protocol, each with a declared {@link Cost}. */
public enum Kernel {
  INPUT, REVEAL, REVEAL_TO, MUL, MATMUL, TRUNC, AND, A2B, B2A, BIT_B2A, MSB, LESS, EQUAL, SELECT
}

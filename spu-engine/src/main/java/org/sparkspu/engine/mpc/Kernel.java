package org.sparkspu.engine.mpc;

/**
 * The communicating kernels of a protocol, each with a declared {@link Cost}. Cost dims: elements
 * (matmul: m, k, n; ALL_NEGATIVE: elements per operand, operands).
 */
public enum Kernel {
  INPUT, REVEAL, REVEAL_TO, MUL, MATMUL, TRUNC, AND, A2B, B2A, BIT_B2A, MSB, LESS, EQUAL, SELECT, ALL_NEGATIVE
}

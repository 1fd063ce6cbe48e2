package org.sparkspu.engine.ir;

/** Element type: fixed point (f fraction bits) or integer (f = 0). Both live in Z_2^64. */
public enum DType {
  FXP, INT;

  /** The wider of two types: fixed point if either is. */
  public static DType join(DType a, DType b) {
    return a == FXP || b == FXP ? FXP : INT;
  }
}

package org.sparkspu.engine.ir;

import org.sparkspu.engine.hal.ExpMode;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * The closed set of XLA-like operations of the IR. Records carry the static parameters, so two
 * nodes with equal ops and equal inputs compute the same value (the basis of CSE).
 */
public sealed interface Op {
  /** Number of inputs, or -1 for variadic ops. */
  int arity();

  /** Lower-case name for listings. */
  default String label() {
    String n = getClass().getSimpleName();
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  /** Comparison kinds; each yields an integer 0/1. */
  enum Cmp { LT, GT, LE, GE, EQ, NE }

  /** Reductions along one axis. */
  enum Reduction { SUM, MAX, MIN }

  /** A public constant (encoded in its node's dtype). Printed by shape only. */
  record Constant(RingTensor value) implements Op {
    public int arity() { return 0; }
    public String label() { return "constant"; }
  }

  /** A named program input with the visibility and dtype of its node. */
  record Input(String name) implements Op {
    public int arity() { return 0; }
    public String label() { return "input \"" + name + "\""; }
  }

  record Add() implements Op { public int arity() { return 2; } }
  record Sub() implements Op { public int arity() { return 2; } }
  record Neg() implements Op { public int arity() { return 1; } }
  record Mul() implements Op { public int arity() { return 2; } }
  /**
   * The product of {@link Mul} for fixed-point operands of any encodable magnitude: lowered so
   * that no value before a truncation exceeds about 2^(2f+2), where a plain product truncates
   * x y 2^(2f) and fails with probability about |x y| 2^(2f) / 2^63 (see Lowering).
   */
  record MulWide() implements Op {
    public int arity() { return 2; }
    public String label() { return "mul_wide"; }
  }
  /** Rank-2 matrix product. */
  record MatMul() implements Op { public int arity() { return 2; } }
  record Transpose() implements Op { public int arity() { return 1; } }
  record Reshape(Shape shape) implements Op { public int arity() { return 1; } }
  /** Numpy-style broadcast of a scalar or a trailing-dims suffix shape. */
  record Broadcast(Shape shape) implements Op { public int arity() { return 1; } }
  /** Elements [from, to) along {@code axis}. */
  record Slice(int axis, int from, int to) implements Op { public int arity() { return 1; } }
  record Concat(int axis) implements Op { public int arity() { return -1; } }
  record Reduce(Reduction kind, int axis) implements Op {
    public int arity() { return 1; }
    public String label() { return "reduce_" + kind.name().toLowerCase(); }
  }
  record Compare(Cmp kind) implements Op {
    public int arity() { return 2; }
    public String label() { return kind.name().toLowerCase(); }
  }
  /**
   * Integer 0/1: 1 where every input is negative (its ring value as a signed 64-bit integer: the
   * encoding's sign, for integers and fixed point alike). The conjunction of comparisons a_i < b_i
   * written as a_i - b_i < 0, which the protocols evaluate cheaper than the product of the
   * comparisons ({@link org.sparkspu.engine.mpc.Protocol#allNegative}).
   */
  record AllNegative() implements Op {
    public int arity() { return -1; }
    public String label() { return "all_negative"; }
  }
  /** select(c, a, b) = c ? a : b with c an integer 0/1. */
  record Select() implements Op { public int arity() { return 3; } }
  record Abs() implements Op { public int arity() { return 1; } }
  record Max() implements Op { public int arity() { return 2; } }
  record Min() implements Op { public int arity() { return 2; } }
  /** clamp(x, lo, hi). */
  record Clamp() implements Op { public int arity() { return 3; } }
  record Exp(ExpMode mode) implements Op {
    public int arity() { return 1; }
    public String label() { return "exp(" + mode.name().toLowerCase() + ")"; }
  }
  record Log() implements Op { public int arity() { return 1; } }
  record Reciprocal() implements Op { public int arity() { return 1; } }
  record Div() implements Op { public int arity() { return 2; } }
  record Sqrt() implements Op { public int arity() { return 1; } }
  record Rsqrt() implements Op { public int arity() { return 1; } }
  record Sigmoid(SigmoidMode mode) implements Op {
    public int arity() { return 1; }
    public String label() { return "sigmoid(" + mode.name().toLowerCase() + ")"; }
  }
  record Tanh() implements Op { public int arity() { return 1; } }
  /** Opens a value to every party. */
  record Reveal() implements Op { public int arity() { return 1; } }
  /** Opens a value to one party. */
  record RevealTo(int party) implements Op {
    public int arity() { return 1; }
    public String label() { return "revealTo(" + party + ")"; }
  }
}

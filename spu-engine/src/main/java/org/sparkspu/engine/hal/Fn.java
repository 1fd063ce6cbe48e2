package org.sparkspu.engine.hal;

import org.sparkspu.engine.mpc.Share;

/**
 * The complex fixed-point functions: each is one closed sub-circuit of many kernel calls that the
 * compiler treats as a unit (MP-SPDZ's CISC instructions, Compiler/instructions_base.py): calls of
 * the same function with the same parameters at one level run once over the concatenated vector.
 * A record's fields are its parameters, so two calls merge exactly when their records are equal.
 */
public sealed interface Fn {
  /** Number of secret operands. */
  int arity();

  /** Short name with parameters, for explain() and profiles. */
  String label();

  /** Runs the secure sub-circuit on equally shaped arithmetic shares. */
  Share apply(Fxp fxp, Share... args);

  /** The exact function in double precision: the plaintext semantics of public and private values. */
  double reference(double... x);

  /** 1/x; {@code integerInput}: x is an integer (encoded with f = 0), the result fixed point. */
  record Reciprocal(boolean integerInput) implements Fn {
    public int arity() { return 1; }
    public String label() { return integerInput ? "reciprocal(int)" : "reciprocal"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.reciprocal(a[0], integerInput); }
    public double reference(double... x) { return 1 / x[0]; }
  }

  /** a / b; {@code integerDivisor}: b is an integer (encoded with f = 0), a and the result fixed point. */
  record Div(boolean integerDivisor) implements Fn {
    public int arity() { return 2; }
    public String label() { return integerDivisor ? "div(int)" : "div"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.div(a[0], a[1], integerDivisor); }
    public double reference(double... x) { return x[0] / x[1]; }
  }

  record Exp(ExpMode mode) implements Fn {
    public int arity() { return 1; }
    public String label() { return "exp(" + mode.name().toLowerCase() + ")"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.exp(a[0], mode); }
    public double reference(double... x) { return Math.exp(x[0]); }
  }

  record Log() implements Fn {
    public int arity() { return 1; }
    public String label() { return "log"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.log(a[0]); }
    public double reference(double... x) { return Math.log(x[0]); }
  }

  record Sqrt() implements Fn {
    public int arity() { return 1; }
    public String label() { return "sqrt"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.sqrt(a[0]); }
    public double reference(double... x) { return Math.sqrt(x[0]); }
  }

  record Rsqrt() implements Fn {
    public int arity() { return 1; }
    public String label() { return "rsqrt"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.rsqrt(a[0]); }
    public double reference(double... x) { return 1 / Math.sqrt(x[0]); }
  }

  record Sigmoid(SigmoidMode mode) implements Fn {
    public int arity() { return 1; }
    public String label() { return "sigmoid(" + mode.name().toLowerCase() + ")"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.sigmoid(a[0], mode); }
    public double reference(double... x) {
      return switch (mode) {
        case MM1 -> 0.5 + 0.125 * x[0];
        case SEG3 -> Math.max(0, Math.min(1, 0.5 + 0.125 * x[0]));
        case REAL -> 1 / (1 + Math.exp(-x[0]));
      };
    }
  }

  record Tanh() implements Fn {
    public int arity() { return 1; }
    public String label() { return "tanh"; }
    public Share apply(Fxp fxp, Share... a) { return fxp.tanh(a[0]); }
    public double reference(double... x) { return Math.tanh(x[0]); }
  }
}

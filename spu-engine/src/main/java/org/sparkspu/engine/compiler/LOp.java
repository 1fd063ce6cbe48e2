package org.sparkspu.engine.compiler;

import org.sparkspu.engine.hal.Fn;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Type;
import org.sparkspu.engine.ring.RingTensor;

/**
 * Lowered operations: local steps (no communication; on plaintext, shares, or public-with-share)
 * and protocol kernels. A kernel record's fields are its parameters: kernels with equal records
 * at the same level run as one call over their concatenated operands (MP-SPDZ's merging, and CISC
 * for {@link Call}).
 */
sealed interface LOp {
  /** No communication. */
  sealed interface Local extends LOp {}

  /** A communicating kernel. */
  sealed interface Kernel extends LOp {
    String label();

    /** Nodes whose kernels have equal merge keys run in one call (inputs of all owners merge). */
    default Object mergeKey() {
      return this;
    }
  }

  // ---- local ----

  /** A program input, bound at run time. */
  record Bind(String name, Type type) implements Local {}

  /** A public constant. */
  record Const(RingTensor value) implements Local {}

  /** An IR op evaluated on plaintext (public values, or the owner's private values). */
  record Plain(Op op, java.util.List<Type> inTypes, Type outType) implements Local {}

  /** A public value as a (trivial) arithmetic sharing. */
  record ShareOf() implements Local {}

  /** Share + share, share + public or public + share. */
  record Add() implements Local {}

  record Sub() implements Local {}

  record Neg() implements Local {}

  /** Share times public (either order): the ring product, no truncation. */
  record MulPublic() implements Local {}

  /** Share matmul public, or public matmul share. */
  record MatMulPublic(boolean publicLeft) implements Local {}

  /** x * mul + add with public integers (scaling, 1 - c, constants); on shares or plaintext. */
  record Affine(long mul, long add) implements Local {}

  /** A structural IR op applied part by part to shares. */
  record Struct(Op op) implements Local {}

  // ---- kernels ----

  record Mul() implements Kernel {
    public String label() { return "mul"; }
  }

  record Trunc(int bits) implements Kernel {
    public String label() { return "trunc(" + bits + ")"; }
  }

  record Less() implements Kernel {
    public String label() { return "less"; }
  }

  /** Conjunction of the operands' signs; nodes merge when they have as many operands. */
  record AllNegative(int operands) implements Kernel {
    public String label() { return "all_negative(" + operands + ")"; }
  }

  record Equal() implements Kernel {
    public String label() { return "equal"; }
  }

  record MatMul() implements Kernel {
    public String label() { return "matmul"; }
  }

  /** Input-sharing of a private value of {@code owner}. */
  record Input(int owner) implements Kernel {
    public String label() { return "input(" + owner + ")"; }
    public Object mergeKey() { return Input.class; }
  }

  record Reveal() implements Kernel {
    public String label() { return "reveal"; }
  }

  record RevealTo(int party) implements Kernel {
    public String label() { return "reveal_to(" + party + ")"; }
  }

  /** A complex fixed-point function (CISC): one expansion per merged group. */
  record Call(Fn fn) implements Kernel {
    public String label() { return fn.label(); }
  }
}

package org.sparkspu.engine.compiler;

import java.util.List;
import org.sparkspu.engine.hal.EncodingException;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.hal.Fn;
import org.sparkspu.engine.hal.PlainMath;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Type;
import org.sparkspu.engine.ring.RingTensor;

/**
 * The plaintext semantics of every IR op on encoded tensors: what public values compute (and what
 * constant folding precomputes), and what a party computes on its own private values. Arithmetic
 * is exact where the secret version is exact (fixed-point products are floor((a b) / 2^f) computed
 * in 128 bits, so they fail loudly instead of wrapping); the complex functions are evaluated in
 * double precision ({@link PlainMath}). Errors name the op and position, never a value.
 */
final class PlainEval {
  private PlainEval() {}

  static RingTensor eval(Op op, List<RingTensor> in, List<Type> inTypes, Type out, FixedPoint fp) {
    int f = fp.fractionBits();
    if (Tensors.isStructural(op)) {
      if (op instanceof Op.Concat) {
        List<RingTensor> conv = new java.util.ArrayList<>();
        for (int i = 0; i < in.size(); i++) conv.add(convert(in.get(i), inTypes.get(i).dtype(), out.dtype(), f, op));
        return Tensors.apply(op, conv);
      }
      return Tensors.apply(op, in);
    }
    if (op instanceof Op.Reveal || op instanceof Op.RevealTo) return in.get(0);
    if (op instanceof Op.Neg) return in.get(0).neg();
    if (op instanceof Op.Abs) return map(in.get(0), Math::abs);
    if (op instanceof Op.Reduce r) return Tensors.extreme(in.get(0), r.axis(), r.kind() == Op.Reduction.MAX);
    if (op instanceof Op.Mul || op instanceof Op.MulWide) return mul(in.get(0), in.get(1), inTypes.get(0).dtype(), inTypes.get(1).dtype(), f);
    if (op instanceof Op.MatMul) {
      RingTensor r = in.get(0).matmul(in.get(1));
      return inTypes.get(0).dtype() == DType.FXP && inTypes.get(1).dtype() == DType.FXP ? r.shiftRightArith(f) : r;
    }
    if (op instanceof Op.Compare c) {
      DType d = DType.join(inTypes.get(0).dtype(), inTypes.get(1).dtype());
      long[] a = convert(in.get(0), inTypes.get(0).dtype(), d, f, op).data();
      long[] b = convert(in.get(1), inTypes.get(1).dtype(), d, f, op).data();
      long[] r = new long[a.length];
      for (int i = 0; i < r.length; i++) {
        boolean v = switch (c.kind()) {
          case LT -> a[i] < b[i];
          case GT -> a[i] > b[i];
          case LE -> a[i] <= b[i];
          case GE -> a[i] >= b[i];
          case EQ -> a[i] == b[i];
          case NE -> a[i] != b[i];
        };
        r[i] = v ? 1 : 0;
      }
      return RingTensor.wrap(r, in.get(0).shape());
    }
    if (op instanceof Op.AllNegative) {
      long[] r = new long[in.get(0).size()];
      java.util.Arrays.fill(r, 1L);
      for (RingTensor x : in) {
        long[] d = x.data();
        for (int i = 0; i < r.length; i++) if (d[i] >= 0) r[i] = 0;
      }
      return RingTensor.wrap(r, in.get(0).shape());
    }
    if (op instanceof Op.Select) {
      RingTensor a = convert(in.get(1), inTypes.get(1).dtype(), out.dtype(), f, op);
      RingTensor b = convert(in.get(2), inTypes.get(2).dtype(), out.dtype(), f, op);
      return b.add(in.get(0).mul(a.sub(b))); // c (a - b) + b, as the secret version
    }
    if (op instanceof Op.Add || op instanceof Op.Sub || op instanceof Op.Max || op instanceof Op.Min || op instanceof Op.Clamp) {
      long[][] v = new long[in.size()][];
      for (int i = 0; i < in.size(); i++) v[i] = convert(in.get(i), inTypes.get(i).dtype(), out.dtype(), f, op).data();
      long[] r = new long[v[0].length];
      for (int i = 0; i < r.length; i++) {
        if (op instanceof Op.Add) r[i] = v[0][i] + v[1][i];
        else if (op instanceof Op.Sub) r[i] = v[0][i] - v[1][i];
        else if (op instanceof Op.Max) r[i] = Math.max(v[0][i], v[1][i]);
        else if (op instanceof Op.Min) r[i] = Math.min(v[0][i], v[1][i]);
        else r[i] = Math.max(v[1][i], Math.min(v[2][i], v[0][i]));
      }
      return RingTensor.wrap(r, in.get(0).shape());
    }
    Fn fn = Lowering.fnOf(op, inTypes);
    if (fn != null) {
      int[] scales = new int[in.size()];
      for (int i = 0; i < scales.length; i++) scales[i] = inTypes.get(i).dtype() == DType.FXP ? f : 0;
      if (op instanceof Op.Sigmoid s && s.mode() != org.sparkspu.engine.hal.SigmoidMode.REAL) {
        // MM1 and SEG3 are their formulas exactly: 0.5 + x/8 (floor), clamped for SEG3
        RingTensor x = convert(in.get(0), inTypes.get(0).dtype(), DType.FXP, f, op);
        long lo = -(4L << f), hi = 4L << f;
        boolean seg3 = s.mode() == org.sparkspu.engine.hal.SigmoidMode.SEG3;
        return map(x, v -> ((seg3 ? Math.max(lo, Math.min(hi, v)) : v) >> 3) + (1L << (f - 1)));
      }
      return PlainMath.apply(fn, fp, scales, in.toArray(new RingTensor[0]));
    }
    throw new IllegalArgumentException("no plaintext semantics for " + op.label());
  }

  /** Rescales integers to fixed point (exact, or an error if the result leaves the encodable range). */
  static RingTensor convert(RingTensor t, DType from, DType to, int f, Op op) {
    if (from == to) return t;
    if (from == DType.FXP) throw new IllegalArgumentException(op.label() + ": fixed point does not narrow to integer implicitly");
    long[] d = t.data(), r = new long[d.length];
    long bound = FixedPoint.LIMIT >> f;
    for (int i = 0; i < d.length; i++) {
      if (d[i] >= bound || d[i] <= -bound) {
        throw new EncodingException(op.label() + ": integer at position " + i + " is outside the fixed-point range |x| < 2^" + (62 - f));
      }
      r[i] = d[i] << f;
    }
    return RingTensor.wrap(r, t.shape());
  }

  private static RingTensor mul(RingTensor a, RingTensor b, DType da, DType db, int f) {
    long[] x = a.data(), y = b.data(), r = new long[x.length];
    boolean shift = da == DType.FXP && db == DType.FXP;
    for (int i = 0; i < r.length; i++) {
      long hi = Math.multiplyHigh(x[i], y[i]), lo = x[i] * y[i];
      long v = shift ? (lo >>> f) | (hi << (64 - f)) : lo;
      long rest = shift ? hi >> f : hi;
      if (rest != (v >> 63) || v >= FixedPoint.LIMIT || v <= -FixedPoint.LIMIT) {
        throw new EncodingException("mul at position " + i + " leaves the encodable range |x| < 2^62 (as an encoding)");
      }
      r[i] = v;
    }
    return RingTensor.wrap(r, a.shape());
  }

  private static RingTensor map(RingTensor t, java.util.function.LongUnaryOperator f) {
    long[] d = t.data(), r = new long[d.length];
    for (int i = 0; i < d.length; i++) r[i] = f.applyAsLong(d[i]);
    return RingTensor.wrap(r, t.shape());
  }
}

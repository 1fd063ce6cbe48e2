package org.sparkspu.engine.ir;

import java.util.List;
import org.sparkspu.engine.ring.Shape;

/**
 * Type inference: the result type of an op from its input types. Visibility is the join of the
 * inputs' (public op secret is secret and runs locally; private op private-of-the-same-party is
 * private and runs at that party; only a private value meeting a secret or another party's private
 * value becomes secret), except that reveal makes a value public and revealTo(p) private to p.
 * Element-wise ops need equal shapes (the tracer inserts broadcasts).
 */
public final class TypeRules {
  private TypeRules() {}

  public static Type infer(Op op, List<Type> in) {
    if (op instanceof Op.Constant || op instanceof Op.Input) {
      throw new IllegalArgumentException("constants and inputs carry their own type");
    }
    if (op instanceof Op.Add || op instanceof Op.Sub || op instanceof Op.Mul || op instanceof Op.MulWide || op instanceof Op.Max
        || op instanceof Op.Min || op instanceof Op.Clamp) {
      return elementwise(op, in, joinDtype(in));
    }
    if (op instanceof Op.Div) return elementwise(op, in, DType.FXP);
    if (op instanceof Op.Compare) return elementwise(op, in, DType.INT);
    if (op instanceof Op.AllNegative) {
      if (in.isEmpty()) throw new IllegalArgumentException("all_negative of nothing");
      return elementwise(op, in, DType.INT);
    }
    if (op instanceof Op.Select) {
      if (in.get(0).dtype() != DType.INT) throw new IllegalArgumentException("select needs an integer 0/1 condition");
      return elementwise(op, in, DType.join(in.get(1).dtype(), in.get(2).dtype()));
    }
    if (op instanceof Op.Neg || op instanceof Op.Abs) return in.get(0);
    if (op instanceof Op.Exp || op instanceof Op.Log || op instanceof Op.Reciprocal || op instanceof Op.Sqrt
        || op instanceof Op.Rsqrt || op instanceof Op.Sigmoid || op instanceof Op.Tanh) {
      return in.get(0).with(DType.FXP);
    }
    if (op instanceof Op.Reveal) return in.get(0).with(Visibility.PUBLIC);
    if (op instanceof Op.RevealTo r) {
      return in.get(0).vis().isPublic() ? in.get(0) : in.get(0).with(Visibility.of(r.party()));
    }
    if (op instanceof Op.MatMul) {
      Shape a = in.get(0).shape(), b = in.get(1).shape();
      if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(0)) {
        throw new IllegalArgumentException("matmul shapes do not agree: " + a + " . " + b);
      }
      return new Type(join(in), joinDtype(in), Shape.of(a.dim(0), b.dim(1)));
    }
    if (op instanceof Op.Transpose) {
      Shape s = in.get(0).shape();
      if (s.rank() != 2) throw new IllegalArgumentException("transpose needs rank 2, got " + s);
      return in.get(0).with(Shape.of(s.dim(1), s.dim(0)));
    }
    if (op instanceof Op.Reshape r) {
      if (r.shape().size() != in.get(0).shape().size()) {
        throw new IllegalArgumentException("cannot reshape " + in.get(0).shape() + " to " + r.shape());
      }
      return in.get(0).with(r.shape());
    }
    if (op instanceof Op.Broadcast b) {
      if (!canBroadcast(in.get(0).shape(), b.shape())) {
        throw new IllegalArgumentException("cannot broadcast " + in.get(0).shape() + " to " + b.shape());
      }
      return in.get(0).with(b.shape());
    }
    if (op instanceof Op.Slice s) {
      Shape sh = in.get(0).shape();
      if (s.axis() < 0 || s.axis() >= sh.rank() || s.from() < 0 || s.from() > s.to() || s.to() > sh.dim(s.axis())) {
        throw new IllegalArgumentException("slice [" + s.from() + ", " + s.to() + ") on axis " + s.axis() + " is outside " + sh);
      }
      int[] d = sh.dims();
      d[s.axis()] = s.to() - s.from();
      return in.get(0).with(Shape.of(d));
    }
    if (op instanceof Op.Concat c) {
      if (in.isEmpty()) throw new IllegalArgumentException("concat of nothing");
      Shape first = in.get(0).shape();
      int total = 0;
      for (Type t : in) {
        Shape s = t.shape();
        if (s.rank() != first.rank() || c.axis() < 0 || c.axis() >= s.rank()) {
          throw new IllegalArgumentException("concat on axis " + c.axis() + " of " + first + " and " + s);
        }
        for (int i = 0; i < s.rank(); i++) {
          if (i != c.axis() && s.dim(i) != first.dim(i)) throw new IllegalArgumentException("concat of " + first + " and " + s);
        }
        total += s.dim(c.axis());
      }
      int[] d = first.dims();
      d[c.axis()] = total;
      return new Type(join(in), joinDtype(in), Shape.of(d));
    }
    if (op instanceof Op.Reduce r) {
      Shape s = in.get(0).shape();
      if (r.axis() < 0 || r.axis() >= s.rank()) throw new IllegalArgumentException("reduce axis " + r.axis() + " is outside " + s);
      if (s.dim(r.axis()) == 0) throw new IllegalArgumentException("reduce over an empty axis");
      int[] d = new int[s.rank() - 1];
      for (int i = 0, j = 0; i < s.rank(); i++) if (i != r.axis()) d[j++] = s.dim(i);
      return in.get(0).with(Shape.of(d));
    }
    throw new IllegalArgumentException("no type rule for " + op.label());
  }

  private static Type elementwise(Op op, List<Type> in, DType dtype) {
    Shape s = in.get(0).shape();
    for (Type t : in) {
      if (!t.shape().equals(s)) throw new IllegalArgumentException(op.label() + " of shapes " + s + " and " + t.shape());
    }
    return new Type(join(in), dtype, s);
  }

  static Visibility join(List<Type> in) {
    Visibility v = Visibility.PUBLIC;
    for (Type t : in) v = Visibility.join(v, t.vis());
    return v;
  }

  static DType joinDtype(List<Type> in) {
    DType d = DType.INT;
    for (Type t : in) d = DType.join(d, t.dtype());
    return d;
  }

  /** A scalar (one element) broadcasts to anything; otherwise the shape must be a suffix of the target. */
  public static boolean canBroadcast(Shape from, Shape to) {
    if (from.equals(to) || from.size() == 1) return true;
    if (from.rank() > to.rank()) return false;
    for (int i = 1; i <= from.rank(); i++) if (from.dim(from.rank() - i) != to.dim(to.rank() - i)) return false;
    return true;
  }
}

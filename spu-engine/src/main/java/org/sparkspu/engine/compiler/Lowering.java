package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.hal.Fn;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Node;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Type;
import org.sparkspu.engine.ir.TypeRules;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Lowers the typed IR to local steps and protocol kernels, dispatching on visibility:
 *
 * <ul>
 *   <li>a public or private result is computed in plaintext by whoever holds it (no communication);
 *   <li>public op secret runs locally on shares (addPublic, mulPublic, matmul by public), with a
 *       truncation only for a fixed-point product whose public factor is not an integer;
 *   <li>a private value that meets a secret (or another party's private value) is input-shared
 *       right there: only what must be secret becomes secret;
 *   <li>secret x secret products, comparisons, truncations and openings are kernels; abs, max, min,
 *       clamp, select and sigmoid MM1/SEG3 are lowered to the less-than, product and truncation
 *       kernels (so they merge with other comparisons and products of their level), and the complex
 *       functions become one {@link LOp.Call} each (CISC).
 * </ul>
 */
final class Lowering {
  /** The lowered program: nodes in topological order and the outputs with their IR types. */
  record Result(List<LNode> nodes, Map<String, LNode> outputs, Map<String, Type> outputTypes) {}

  private final FixedPoint fp;
  private final int f;
  private final List<LNode> nodes = new ArrayList<>();
  private final Map<List<Object>, LNode> memo = new HashMap<>();

  private Lowering(FixedPoint fp) {
    this.fp = fp;
    this.f = fp.fractionBits();
  }

  static Result lower(Program program, FixedPoint fp) {
    Lowering l = new Lowering(fp);
    Map<Node, LNode> value = new IdentityHashMap<>();
    for (Node n : program.nodes()) {
      List<LNode> in = new ArrayList<>();
      for (Node i : n.inputs()) in.add(value.get(i));
      value.put(n, l.lower(n, in));
    }
    Map<String, LNode> outs = new LinkedHashMap<>();
    Map<String, Type> types = new LinkedHashMap<>();
    program.outputs().forEach((k, v) -> {
      outs.put(k, value.get(v));
      types.put(k, v.type());
    });
    return new Result(List.copyOf(l.nodes), outs, types);
  }

  /** The complex function an IR op maps to, or null. */
  static Fn fnOf(Op op, List<Type> in) {
    if (op instanceof Op.Exp e) return new Fn.Exp(e.mode());
    if (op instanceof Op.Log) return new Fn.Log();
    if (op instanceof Op.Sqrt) return new Fn.Sqrt();
    if (op instanceof Op.Rsqrt) return new Fn.Rsqrt();
    if (op instanceof Op.Tanh) return new Fn.Tanh();
    if (op instanceof Op.Sigmoid s) return new Fn.Sigmoid(s.mode());
    if (op instanceof Op.Reciprocal) return new Fn.Reciprocal(in.get(0).dtype() == DType.INT);
    if (op instanceof Op.Div) return new Fn.Div(in.get(1).dtype() == DType.INT);
    return null;
  }

  // ---------------------------------------------------------------------------------------------

  private LNode emit(LOp op, Visibility vis, Shape shape, LNode... in) {
    List<Object> key = new ArrayList<>();
    key.add(op);
    key.add(vis);
    key.add(shape);
    for (LNode i : in) key.add(i.id);
    LNode prev = memo.get(key);
    if (prev != null && !(op instanceof LOp.Bind)) return prev;
    LNode n = new LNode(nodes.size(), op, Arrays.asList(in), vis, shape);
    nodes.add(n);
    memo.put(key, n);
    return n;
  }

  private LNode lower(Node n, List<LNode> in) {
    Op op = n.op();
    Type t = n.type();
    if (op instanceof Op.Input i) return emit(new LOp.Bind(i.name(), t), t.vis(), t.shape());
    if (op instanceof Op.Constant c) return emit(new LOp.Const(c.value()), Visibility.PUBLIC, t.shape());
    if (op instanceof Op.Reveal) return reveal(in.get(0), -1);
    if (op instanceof Op.RevealTo r) return reveal(in.get(0), r.party());
    List<Type> inTypes = new ArrayList<>();
    for (Node i : n.inputs()) inTypes.add(i.type());
    if (!t.vis().isSecret()) {
      return emit(new LOp.Plain(op, inTypes, t), t.vis(), t.shape(), in.toArray(new LNode[0]));
    }
    return secret(op, t, in, inTypes);
  }

  private LNode reveal(LNode x, int party) {
    if (x.vis.isPublic()) return x;
    if (party >= 0 && x.vis instanceof Visibility.Private pv && pv.party() == party) return x;
    LNode s = share(x);
    return party < 0 ? emit(new LOp.Reveal(), Visibility.PUBLIC, x.shape, s)
        : emit(new LOp.RevealTo(party), Visibility.of(party), x.shape, s);
  }

  private LNode secret(Op op, Type t, List<LNode> in, List<Type> inTypes) {
    DType d = t.dtype();
    Shape shape = t.shape();
    if (op instanceof Op.Add || op instanceof Op.Sub) {
      LNode a = local(conv(in.get(0), inTypes.get(0).dtype(), d)), b = local(conv(in.get(1), inTypes.get(1).dtype(), d));
      return emit(op instanceof Op.Add ? new LOp.Add() : new LOp.Sub(), Visibility.SECRET, shape, a, b);
    }
    if (op instanceof Op.Neg) return emit(new LOp.Neg(), Visibility.SECRET, shape, in.get(0));
    if (op instanceof Op.Mul) return product(in.get(0), in.get(1), inTypes, shape, false);
    if (op instanceof Op.MulWide) return wideProduct(in.get(0), in.get(1), inTypes, shape);
    if (op instanceof Op.MatMul) return product(in.get(0), in.get(1), inTypes, shape, true);
    if (op instanceof Op.Compare c) {
      DType cd = DType.join(inTypes.get(0).dtype(), inTypes.get(1).dtype());
      LNode a = share(conv(in.get(0), inTypes.get(0).dtype(), cd)), b = share(conv(in.get(1), inTypes.get(1).dtype(), cd));
      return switch (c.kind()) {
        case LT -> less(a, b);
        case GT -> less(b, a);
        case LE -> not(less(b, a));
        case GE -> not(less(a, b));
        case EQ -> emit(new LOp.Equal(), Visibility.SECRET, shape, a, b);
        case NE -> not(emit(new LOp.Equal(), Visibility.SECRET, shape, a, b));
      };
    }
    if (op instanceof Op.AllNegative) {
      LNode[] ops = new LNode[in.size()];
      for (int i = 0; i < ops.length; i++) ops[i] = share(in.get(i)); // signs of the encodings: no dtype conversion
      return emit(new LOp.AllNegative(ops.length), Visibility.SECRET, shape, ops);
    }
    if (op instanceof Op.Select) {
      LNode c = in.get(0);
      LNode a = local(conv(in.get(1), inTypes.get(1).dtype(), d)), b = local(conv(in.get(2), inTypes.get(2).dtype(), d));
      LNode diff = sub(a, b);
      if (c.vis.isPublic()) return add(b, emit(new LOp.MulPublic(), Visibility.SECRET, shape, diff, c));
      return add(b, mul(share(c), share(diff)));
    }
    if (op instanceof Op.Abs) {
      LNode x = in.get(0);
      LNode s = less(x, share(constant(shape, 0)));
      return mul(x, affine(s, -2, 1)); // x (1 - 2 [x < 0]), an integer factor: no truncation
    }
    if (op instanceof Op.Max || op instanceof Op.Min) {
      LNode a = share(conv(in.get(0), inTypes.get(0).dtype(), d)), b = share(conv(in.get(1), inTypes.get(1).dtype(), d));
      LNode c = op instanceof Op.Max ? less(b, a) : less(a, b);
      return add(b, mul(c, sub(a, b)));
    }
    if (op instanceof Op.Clamp) {
      return clamp(share(conv(in.get(0), inTypes.get(0).dtype(), d)), conv(in.get(1), inTypes.get(1).dtype(), d),
          conv(in.get(2), inTypes.get(2).dtype(), d));
    }
    if (op instanceof Op.Sigmoid s && s.mode() != SigmoidMode.REAL) {
      LNode x = conv(in.get(0), inTypes.get(0).dtype(), DType.FXP);
      if (s.mode() == SigmoidMode.SEG3) {
        x = clamp(x, constant(shape, fp.encode(-4)), constant(shape, fp.encode(4)));
      }
      return affine(emit(new LOp.Trunc(3), Visibility.SECRET, shape, x), 1, fp.encode(0.5)); // 0.5 + x/8
    }
    Fn fn = fnOf(op, inTypes);
    if (fn != null) {
      LNode[] args = new LNode[in.size()];
      for (int i = 0; i < args.length; i++) {
        boolean keepInt = (op instanceof Op.Reciprocal) || (op instanceof Op.Div && i == 1);
        args[i] = share(keepInt ? in.get(i) : conv(in.get(i), inTypes.get(i).dtype(), DType.FXP));
      }
      return emit(new LOp.Call(fn), Visibility.SECRET, shape, args);
    }
    if (op instanceof Op.Reduce r && r.kind() != Op.Reduction.SUM) return extreme(in.get(0), r.axis(), r.kind() == Op.Reduction.MAX);
    if (op instanceof Op.Concat) {
      LNode[] args = new LNode[in.size()];
      for (int i = 0; i < args.length; i++) args[i] = share(conv(in.get(i), inTypes.get(i).dtype(), d));
      return emit(new LOp.Struct(op), Visibility.SECRET, shape, args);
    }
    if (Tensors.isStructural(op)) return emit(new LOp.Struct(op), Visibility.SECRET, shape, in.get(0));
    throw new IllegalArgumentException("cannot lower " + op.label() + " on secrets");
  }

  /** Products: by a public factor locally (truncating only fixed point x non-integer fixed point), else a kernel. */
  private LNode product(LNode a, LNode b, List<Type> inTypes, Shape shape, boolean matmul) {
    boolean bothFxp = inTypes.get(0).dtype() == DType.FXP && inTypes.get(1).dtype() == DType.FXP;
    LNode r;
    if (a.vis.isPublic() || b.vis.isPublic()) {
      boolean pubLeft = a.vis.isPublic();
      LNode pub = pubLeft ? a : b, sec = pubLeft ? b : a;
      LNode asInt = bothFxp ? integerValued(pub) : null;
      if (asInt != null) {
        pub = asInt;
        bothFxp = false;
      }
      LOp local = matmul ? new LOp.MatMulPublic(pubLeft) : new LOp.MulPublic();
      r = pubLeft ? emit(local, Visibility.SECRET, shape, pub, sec) : emit(local, Visibility.SECRET, shape, sec, pub);
    } else {
      r = emit(matmul ? new LOp.MatMul() : new LOp.Mul(), Visibility.SECRET, shape, share(a), share(b));
    }
    return bothFxp ? emit(new LOp.Trunc(f), Visibility.SECRET, shape, r) : r;
  }

  /**
   * A fixed-point product safe for large operands. Probabilistic truncation (SecureML Thm. 1, ABY3
   * §5.1) of a value v fails with probability about |v| / 2^63, and a plain product truncates
   * v = a b (a, b the encodings, about x y 2^(2f)). Here each secret encoding is split as
   * a = 2^f a1 + a0 with a1 = trunc(a) (v = a, about |x| 2^f) and a0 = a - 2^f a1 in (-2^f, 2^(f+1))
   * computed locally, exactly; then a b / 2^f = 2^f a1 b1 + a1 b0 + a0 b1 + trunc(a0 b0), where only
   * a0 b0 (below 2^(2f+2)) is truncated. Result within one unit of floor(a b / 2^f), like
   * {@link #product}; rounds: split, products (3 for a square, 4 otherwise, one call), truncation.
   * A public factor c needs only the secret side split: a1 c + trunc(a0 c).
   */
  private LNode wideProduct(LNode a, LNode b, List<Type> inTypes, Shape shape) {
    boolean bothFxp = inTypes.get(0).dtype() == DType.FXP && inTypes.get(1).dtype() == DType.FXP;
    boolean anyPublic = a.vis.isPublic() || b.vis.isPublic();
    if (!bothFxp || (anyPublic && integerValued(a.vis.isPublic() ? a : b) != null)) {
      return product(a, b, inTypes, shape, false); // no truncation at all
    }
    long one = 1L << f;
    if (anyPublic) {
      LNode pub = a.vis.isPublic() ? a : b, sec = share(a.vis.isPublic() ? b : a);
      LNode hi = emit(new LOp.Trunc(f), Visibility.SECRET, shape, sec);
      LNode lo = sub(sec, affine(hi, one, 0));
      LNode hiTimes = emit(new LOp.MulPublic(), Visibility.SECRET, shape, hi, pub);
      LNode loTimes = emit(new LOp.MulPublic(), Visibility.SECRET, shape, lo, pub);
      return add(hiTimes, emit(new LOp.Trunc(f), Visibility.SECRET, shape, loTimes));
    }
    LNode sa = share(a), sb = share(b);
    LNode a1 = emit(new LOp.Trunc(f), Visibility.SECRET, shape, sa), b1 = emit(new LOp.Trunc(f), Visibility.SECRET, shape, sb);
    LNode a0 = sub(sa, affine(a1, one, 0)), b0 = sub(sb, affine(b1, one, 0));
    LNode high = affine(mul(a1, b1), one, 0);
    LNode middle = sa == sb ? affine(mul(a1, a0), 2, 0) : add(mul(a1, b0), mul(a0, b1));
    LNode low = emit(new LOp.Trunc(f), Visibility.SECRET, shape, mul(a0, b0));
    return add(add(high, middle), low);
  }

  /** A fixed-point constant whose every value is an integer, as that integer constant; else null. */
  private LNode integerValued(LNode pub) {
    if (!(pub.op instanceof LOp.Const c)) return null;
    long[] v = c.value().data();
    long[] r = new long[v.length];
    long mask = (1L << f) - 1;
    for (int i = 0; i < v.length; i++) {
      if ((v[i] & mask) != 0) return null;
      r[i] = v[i] >> f;
    }
    return emit(new LOp.Const(RingTensor.wrap(r, c.value().shape())), Visibility.PUBLIC, pub.shape);
  }

  /** clamp(x, lo, hi) = x (1 - a - b) + a lo + b hi, a = [x < lo], b = [hi < x]: both comparisons merge. */
  private LNode clamp(LNode x, LNode lo, LNode hi) {
    LNode a = less(x, share(lo)), b = less(share(hi), x);
    LNode r = mul(x, affine(add(a, b), -1, 1));
    LNode tl = lo.vis.isPublic() ? emit(new LOp.MulPublic(), Visibility.SECRET, x.shape, a, lo) : mul(a, share(lo));
    LNode th = hi.vis.isPublic() ? emit(new LOp.MulPublic(), Visibility.SECRET, x.shape, b, hi) : mul(b, share(hi));
    return add(add(r, tl), th);
  }

  /** Max or min along an axis by a tree of pairwise max/min over halves: ceil(log2 n) levels. */
  private LNode extreme(LNode x, int axis, boolean max) {
    LNode cur = x;
    int len = x.shape.dim(axis);
    while (len > 1) {
      int h = len / 2;
      LNode a = struct(new Op.Slice(axis, 0, h), cur), b = struct(new Op.Slice(axis, h, 2 * h), cur);
      LNode c = max ? less(b, a) : less(a, b);
      LNode m = add(b, mul(c, sub(a, b)));
      if (len % 2 == 1) m = struct(new Op.Concat(axis), m, struct(new Op.Slice(axis, 2 * h, len), cur));
      cur = m;
      len = h + len % 2;
    }
    int[] d = cur.shape.dims();
    int[] out = new int[d.length - 1];
    for (int i = 0, j = 0; i < d.length; i++) if (i != axis) out[j++] = d[i];
    return struct(new Op.Reshape(Shape.of(out)), cur);
  }

  // ---- small builders ----

  private LNode struct(Op op, LNode... in) {
    List<Type> types = new ArrayList<>();
    for (LNode i : in) types.add(new Type(Visibility.SECRET, DType.INT, i.shape));
    return emit(new LOp.Struct(op), Visibility.SECRET, TypeRules.infer(op, types).shape(), in);
  }

  /** A value usable with shares: private values are input-shared, public stay public. */
  private LNode local(LNode v) {
    return v.vis instanceof Visibility.Private ? share(v) : v;
  }

  /** A value as a share: public via a trivial sharing, private via the owner's input. */
  private LNode share(LNode v) {
    if (v.vis.isSecret()) return v;
    if (v.vis.isPublic()) return emit(new LOp.ShareOf(), Visibility.SECRET, v.shape, v);
    return emit(new LOp.Input(((Visibility.Private) v.vis).party()), Visibility.SECRET, v.shape, v);
  }

  private LNode conv(LNode v, DType from, DType to) {
    if (from == to) return v;
    if (from == DType.FXP) throw new IllegalArgumentException("fixed point does not narrow to integer implicitly");
    return affine(v, 1L << f, 0);
  }

  private LNode affine(LNode v, long mul, long add) {
    return emit(new LOp.Affine(mul, add), v.vis, v.shape, v);
  }

  private LNode not(LNode bit) {
    return affine(bit, -1, 1);
  }

  private LNode less(LNode a, LNode b) {
    return emit(new LOp.Less(), Visibility.SECRET, a.shape, share(a), share(b));
  }

  private LNode mul(LNode a, LNode b) {
    return emit(new LOp.Mul(), Visibility.SECRET, a.shape, share(a), share(b));
  }

  private LNode add(LNode a, LNode b) {
    return emit(new LOp.Add(), Visibility.join(a.vis, b.vis), a.shape, a, b);
  }

  private LNode sub(LNode a, LNode b) {
    return emit(new LOp.Sub(), Visibility.join(a.vis, b.vis), a.shape, a, b);
  }

  private LNode constant(Shape shape, long encoded) {
    return emit(new LOp.Const(RingTensor.fill(shape, encoded)), Visibility.PUBLIC, shape);
  }
}

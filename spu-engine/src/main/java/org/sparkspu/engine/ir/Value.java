package org.sparkspu.engine.ir;

import org.sparkspu.engine.hal.ExpMode;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ring.Shape;

/**
 * A traced value: each method records one op and returns its result, so that programs read like
 * the maths ({@code x.mul(y).add(c).sigmoid()}). Doubles become fixed-point constants; longs
 * integer constants (an integer factor needs no truncation).
 */
public final class Value {
  private final Tracer tracer;
  private final Node node;

  Value(Tracer tracer, Node node) {
    this.tracer = tracer;
    this.node = node;
  }

  public Tracer tracer() {
    return tracer;
  }

  public Node node() {
    return node;
  }

  public Type type() {
    return node.type();
  }

  public Shape shape() {
    return node.type().shape();
  }

  public Visibility visibility() {
    return node.vis();
  }

  public DType dtype() {
    return node.dtype();
  }

  private Value c(double v) {
    return tracer.constant(v);
  }

  private Value c(long v) {
    return tracer.constantInt(v);
  }

  private Value ew(Op op, Value... in) {
    return tracer.apply(op, true, in);
  }

  private Value un(Op op) {
    return tracer.apply(op, false, this);
  }

  // ---- arithmetic ----

  public Value add(Value o) { return ew(new Op.Add(), this, o); }
  public Value add(double o) { return add(c(o)); }
  public Value add(long o) { return add(c(o)); }
  public Value sub(Value o) { return ew(new Op.Sub(), this, o); }
  public Value sub(double o) { return sub(c(o)); }
  public Value sub(long o) { return sub(c(o)); }
  public Value neg() { return un(new Op.Neg()); }
  public Value mul(Value o) { return ew(new Op.Mul(), this, o); }
  public Value mul(double o) { return mul(c(o)); }
  public Value mul(long o) { return mul(c(o)); }
  /**
   * The same product as {@link #mul(Value)}, for fixed-point operands that may be large: a plain
   * secret fixed-point product truncates x y 2^(2f), which goes wrong with probability about
   * |x y| 2^(2f) / 2^63 (1 in 50 for x = y = 2500 at f = 18); this one splits each operand into
   * integer and fraction parts first (one more round, about 3.5x the bytes). Same result otherwise.
   */
  public Value mulWide(Value o) { return ew(new Op.MulWide(), this, o); }
  public Value mulWide(double o) { return mulWide(c(o)); }
  public Value div(Value o) { return ew(new Op.Div(), this, o); }
  public Value div(double o) { return div(c(o)); }
  public Value matmul(Value o) { return tracer.apply(new Op.MatMul(), false, this, o); }

  /**
   * XLA's dot: vector . vector (a scalar), matrix . vector (a vector) or matrix . matrix, as one
   * matrix product (for secrets one matmul exchange, which in aby3 sends only the outputs).
   */
  public Value dot(Value o) {
    int ra = shape().rank(), rb = o.shape().rank();
    if (ra == 2 && rb == 2) return matmul(o);
    Value a = ra == 1 ? reshape(1, shape().dim(0)) : this;
    Value b = rb == 1 ? o.reshape(o.shape().dim(0), 1) : o;
    Value m = a.matmul(b);
    if (ra == 1 && rb == 1) return m.reshape();
    return ra == 1 ? m.reshape(m.shape().dim(1)) : m.reshape(m.shape().dim(0));
  }

  // ---- structure ----

  public Value transpose() { return un(new Op.Transpose()); }
  public Value reshape(int... dims) { return un(new Op.Reshape(Shape.of(dims))); }
  public Value broadcastTo(int... dims) { return un(new Op.Broadcast(Shape.of(dims))); }
  /** Elements [from, to) along {@code axis}. */
  public Value slice(int axis, int from, int to) { return un(new Op.Slice(axis, from, to)); }

  /** This value followed by {@code others} along {@code axis}. */
  public Value concat(int axis, Value... others) {
    Value[] all = new Value[others.length + 1];
    all[0] = this;
    System.arraycopy(others, 0, all, 1, others.length);
    return tracer.apply(new Op.Concat(axis), false, all);
  }

  public Value sum(int axis) { return un(new Op.Reduce(Op.Reduction.SUM, axis)); }
  /** Sum of all elements (a scalar). */
  public Value sum() { return reshape(shape().size()).sum(0); }
  public Value reduceMax(int axis) { return un(new Op.Reduce(Op.Reduction.MAX, axis)); }
  public Value reduceMin(int axis) { return un(new Op.Reduce(Op.Reduction.MIN, axis)); }

  // ---- comparisons (integer 0/1) and selection ----

  public Value less(Value o) { return ew(new Op.Compare(Op.Cmp.LT), this, o); }
  public Value less(double o) { return less(c(o)); }
  public Value greater(Value o) { return ew(new Op.Compare(Op.Cmp.GT), this, o); }
  public Value greater(double o) { return greater(c(o)); }
  public Value lessEqual(Value o) { return ew(new Op.Compare(Op.Cmp.LE), this, o); }
  public Value greaterEqual(Value o) { return ew(new Op.Compare(Op.Cmp.GE), this, o); }
  public Value equal(Value o) { return ew(new Op.Compare(Op.Cmp.EQ), this, o); }
  public Value notEqual(Value o) { return ew(new Op.Compare(Op.Cmp.NE), this, o); }

  /**
   * Integer 0/1: 1 where this and every one of {@code others} is negative (as ring values: the
   * encodings' signs), e.g. the AND of comparisons a_i < b_i as allNegative(a_i - b_i), exact while
   * each |a_i - b_i| < 2^63. Cheaper in MPC than multiplying the comparisons' results.
   */
  public Value allNegative(Value... others) {
    Value[] all = new Value[others.length + 1];
    all[0] = this;
    System.arraycopy(others, 0, all, 1, others.length);
    return ew(new Op.AllNegative(), all);
  }

  /** this ? a : b, for an integer 0/1 condition. */
  public Value select(Value a, Value b) { return ew(new Op.Select(), this, a, b); }

  public Value abs() { return un(new Op.Abs()); }
  public Value max(Value o) { return ew(new Op.Max(), this, o); }
  public Value min(Value o) { return ew(new Op.Min(), this, o); }
  public Value clamp(Value lo, Value hi) { return ew(new Op.Clamp(), this, lo, hi); }
  public Value clamp(double lo, double hi) { return clamp(c(lo), c(hi)); }

  // ---- fixed-point functions ----

  /** e^x by SPU's default Taylor method; see {@link ExpMode}. */
  public Value exp() { return exp(ExpMode.TAYLOR); }
  public Value exp(ExpMode mode) { return un(new Op.Exp(mode)); }
  public Value log() { return un(new Op.Log()); }
  public Value reciprocal() { return un(new Op.Reciprocal()); }
  public Value sqrt() { return un(new Op.Sqrt()); }
  public Value rsqrt() { return un(new Op.Rsqrt()); }
  /** 1 / (1 + e^-x) (REAL mode); see {@link SigmoidMode} for SPU's cheaper approximations. */
  public Value sigmoid() { return sigmoid(SigmoidMode.REAL); }
  public Value sigmoid(SigmoidMode mode) { return un(new Op.Sigmoid(mode)); }
  public Value tanh() { return un(new Op.Tanh()); }

  // ---- opening ----

  public Value reveal() { return un(new Op.Reveal()); }
  public Value revealTo(int party) { return un(new Op.RevealTo(party)); }

  @Override
  public String toString() {
    return node.toString();
  }
}

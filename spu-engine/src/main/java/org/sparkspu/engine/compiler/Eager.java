package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.sparkspu.engine.hal.ExpMode;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Type;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Eager mode, for interactive use: every op runs at once as its own tiny compiled program (cached
 * by op and operand types), with the same visibility rules and kernels as compiled mode. Each call
 * costs its own rounds: nothing is merged across calls, which is what compiled mode is for.
 * Every party must make the same calls in the same order.
 *
 * <pre>{@code
 * Eager e = new Eager(session.protocol(), session.fixedPoint());
 * Eager.Tensor x = e.privateInput(0, mine, shape), y = e.privateInput(1, theirs, shape);
 * double[] z = x.mul(y).sigmoid().reveal().doubles();
 * }</pre>
 */
public final class Eager {
  private final Protocol p;
  private final FixedPoint fp;
  private final Map<List<Object>, CompiledProgram> cache = new HashMap<>();

  public Eager(Protocol protocol, FixedPoint fixedPoint) {
    this.p = protocol;
    this.fp = fixedPoint;
  }

  /** Fixed-point values party {@code owner} holds; the others pass null. */
  public Tensor privateInput(int owner, double[] valuesOrNull, Shape shape) {
    Type t = new Type(Visibility.of(owner), DType.FXP, shape);
    return new Tensor(t, p.self() == owner ? CompiledProgram.encode(fp, valuesOrNull, shape, "private input") : null);
  }

  /** Integers party {@code owner} holds; the others pass null. */
  public Tensor privateInts(int owner, long[] valuesOrNull, Shape shape) {
    Type t = new Type(Visibility.of(owner), DType.INT, shape);
    return new Tensor(t, p.self() == owner ? FixedPoint.encodeIntegers(valuesOrNull, shape, "private input") : null);
  }

  /** Public fixed-point values (every party passes the same). */
  public Tensor publicValue(Shape shape, double... values) {
    return new Tensor(new Type(Visibility.PUBLIC, DType.FXP, shape), fp.encode(values, shape, "public value"));
  }

  /** An existing sharing (this party's share) of fixed-point or integer values. */
  public Tensor secret(Share share, DType dtype) {
    return new Tensor(new Type(Visibility.SECRET, dtype, share.shape()), share);
  }

  /** Number of distinct tiny programs compiled so far. */
  public int compiledPrograms() {
    return cache.size();
  }

  private Tensor apply(List<Object> key, Function<Value[], Value> body, Tensor... operands) {
    List<Object> fullKey = new ArrayList<>(key);
    for (Tensor o : operands) fullKey.add(o.type);
    CompiledProgram cp = cache.computeIfAbsent(fullKey, k -> {
      Tracer t = new Tracer(fp);
      Value[] in = new Value[operands.length];
      for (int i = 0; i < in.length; i++) in[i] = t.input("in" + i, operands[i].type.vis(), operands[i].type.dtype(), operands[i].type.shape());
      t.output("out", body.apply(in));
      return Compiler.compile(t.build(), p, fp);
    });
    Map<String, Object> inputs = new HashMap<>();
    for (int i = 0; i < operands.length; i++) if (operands[i].value != null) inputs.put("in" + i, operands[i].value);
    Outputs out = cp.run(inputs);
    Type type = out.type("out");
    Object value = type.vis().isSecret() ? out.share("out") : out.holds("out") ? out.tensor("out") : null;
    return new Tensor(type, value);
  }

  /** A value of eager mode: its type and this party's view of it (plaintext, share, or nothing). */
  public final class Tensor {
    private final Type type;
    private final Object value;

    private Tensor(Type type, Object value) {
      this.type = type;
      this.value = value;
    }

    public Type type() {
      return type;
    }

    public Visibility visibility() {
      return type.vis();
    }

    public Shape shape() {
      return type.shape();
    }

    /** The values of a public tensor, or of a private one at its owner. */
    public double[] doubles() {
      if (value instanceof Share) throw new IllegalStateException("the tensor is secret: reveal it first");
      if (value == null) throw new IllegalStateException("the tensor is " + type.vis() + " and not held by party " + p.self());
      RingTensor t = (RingTensor) value;
      if (type.dtype() == DType.FXP) return fp.decode(t);
      return Arrays.stream(t.data()).asDoubleStream().toArray();
    }

    /** This party's share of a secret tensor. */
    public Share share() {
      if (!(value instanceof Share s)) throw new IllegalStateException("the tensor is " + type.vis() + ", not secret");
      return s;
    }

    private Tensor un(String name, Function<Value, Value> f) {
      return apply(List.of(name), v -> f.apply(v[0]), this);
    }

    private Tensor bin(String name, Tensor o, java.util.function.BiFunction<Value, Value, Value> f) {
      return apply(List.of(name), v -> f.apply(v[0], v[1]), this, o);
    }

    public Tensor add(Tensor o) { return bin("add", o, Value::add); }
    public Tensor add(double c) { return apply(List.of("add_c", c), v -> v[0].add(c), this); }
    public Tensor sub(Tensor o) { return bin("sub", o, Value::sub); }
    public Tensor neg() { return un("neg", Value::neg); }
    public Tensor mul(Tensor o) { return bin("mul", o, Value::mul); }
    public Tensor mul(double c) { return apply(List.of("mul_c", c), v -> v[0].mul(c), this); }
    public Tensor mul(long c) { return apply(List.of("mul_i", c), v -> v[0].mul(c), this); }
    /** {@link Value#mulWide}: the product for large fixed-point operands. */
    public Tensor mulWide(Tensor o) { return bin("mul_wide", o, Value::mulWide); }
    public Tensor div(Tensor o) { return bin("div", o, Value::div); }
    public Tensor matmul(Tensor o) { return bin("matmul", o, Value::matmul); }
    public Tensor transpose() { return un("transpose", Value::transpose); }
    public Tensor reshape(int... dims) { return apply(List.of("reshape", Shape.of(dims)), v -> v[0].reshape(dims), this); }
    public Tensor sum(int axis) { return apply(List.of("sum", axis), v -> v[0].sum(axis), this); }
    public Tensor reduceMax(int axis) { return apply(List.of("rmax", axis), v -> v[0].reduceMax(axis), this); }
    public Tensor less(Tensor o) { return bin("lt", o, Value::less); }
    public Tensor greater(Tensor o) { return bin("gt", o, Value::greater); }
    public Tensor equal(Tensor o) { return bin("eq", o, Value::equal); }
    /** this ? a : b for an integer 0/1 condition. */
    public Tensor select(Tensor a, Tensor b) { return apply(List.of("select"), v -> v[0].select(v[1], v[2]), this, a, b); }
    public Tensor abs() { return un("abs", Value::abs); }
    public Tensor max(Tensor o) { return bin("max", o, Value::max); }
    public Tensor min(Tensor o) { return bin("min", o, Value::min); }
    public Tensor clamp(double lo, double hi) { return apply(List.of("clamp", lo, hi), v -> v[0].clamp(lo, hi), this); }
    public Tensor exp() { return un("exp", Value::exp); }
    public Tensor exp(ExpMode mode) { return apply(List.of("exp", mode), v -> v[0].exp(mode), this); }
    public Tensor log() { return un("log", Value::log); }
    public Tensor reciprocal() { return un("reciprocal", Value::reciprocal); }
    public Tensor sqrt() { return un("sqrt", Value::sqrt); }
    public Tensor rsqrt() { return un("rsqrt", Value::rsqrt); }
    public Tensor sigmoid() { return un("sigmoid", Value::sigmoid); }
    public Tensor sigmoid(SigmoidMode mode) { return apply(List.of("sigmoid", mode), v -> v[0].sigmoid(mode), this); }
    public Tensor tanh() { return un("tanh", Value::tanh); }
    public Tensor reveal() { return un("reveal", Value::reveal); }
    public Tensor revealTo(int party) { return apply(List.of("revealTo", party), v -> v[0].revealTo(party), this); }

    @Override
    public String toString() {
      return "Eager.Tensor(" + type + ")";
    }
  }
}

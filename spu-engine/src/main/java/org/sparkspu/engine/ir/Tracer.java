package org.sparkspu.engine.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Records a program from Java code that reads like the maths:
 *
 * <pre>{@code
 * Tracer t = new Tracer();
 * Value x = t.privateInput(0, "x", Shape.vector(n));
 * Value y = t.privateInput(1, "y", Shape.vector(n));
 * t.output("z", x.mul(y).add(t.constant(0.5)).sigmoid().reveal());
 * Program p = t.build();
 * }</pre>
 *
 * Every call creates one typed node (visibility and dtype inferred by {@link TypeRules});
 * element-wise ops broadcast scalars and trailing-dims shapes numpy-style. Constants are encoded
 * with the tracer's fixed point (f = 18 by default, SPU's FM64).
 */
public final class Tracer {
  private final FixedPoint fp;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Node> outputs = new LinkedHashMap<>();

  public Tracer() {
    this(new FixedPoint(18));
  }

  public Tracer(FixedPoint fp) {
    this.fp = fp;
  }

  public FixedPoint fixedPoint() {
    return fp;
  }

  // ---- inputs ----

  /** A named input of the given visibility and element type. */
  public Value input(String name, Visibility vis, DType dtype, Shape shape) {
    return new Value(this, add(new Op.Input(name), new Type(vis, dtype, shape), List.of()));
  }

  /** Fixed-point values that party {@code party} holds in plaintext. */
  public Value privateInput(int party, String name, Shape shape) {
    return input(name, Visibility.of(party), DType.FXP, shape);
  }

  public Value privateInts(int party, String name, Shape shape) {
    return input(name, Visibility.of(party), DType.INT, shape);
  }

  /** Fixed-point values that are already secret-shared (bound to a Share at run time). */
  public Value secretInput(String name, Shape shape) {
    return input(name, Visibility.SECRET, DType.FXP, shape);
  }

  public Value secretInts(String name, Shape shape) {
    return input(name, Visibility.SECRET, DType.INT, shape);
  }

  /** Fixed-point values every party supplies identically at run time. */
  public Value publicInput(String name, Shape shape) {
    return input(name, Visibility.PUBLIC, DType.FXP, shape);
  }

  // ---- constants ----

  public Value constant(double value) {
    return constant(Shape.scalar(), value);
  }

  public Value constant(Shape shape, double... values) {
    return new Value(this, add(new Op.Constant(fp.encode(values, shape, "constant")), new Type(Visibility.PUBLIC, DType.FXP, shape), List.of()));
  }

  public Value constantInt(long value) {
    return constantInt(Shape.scalar(), value);
  }

  public Value constantInt(Shape shape, long... values) {
    RingTensor t = FixedPoint.encodeIntegers(values, shape, "constant");
    return new Value(this, add(new Op.Constant(t), new Type(Visibility.PUBLIC, DType.INT, shape), List.of()));
  }

  // ---- outputs ----

  public void output(String name, Value v) {
    if (v.tracer() != this) throw new IllegalArgumentException("output \"" + name + "\" comes from another tracer");
    if (outputs.putIfAbsent(name, v.node()) != null) throw new IllegalArgumentException("two outputs are named \"" + name + "\"");
  }

  public Program build() {
    if (outputs.isEmpty()) throw new IllegalStateException("the program has no outputs");
    return new Program(nodes, outputs, fp.fractionBits());
  }

  // ---- node creation ----

  Node add(Op op, Type type, List<Node> inputs) {
    Node n = new Node(nodes.size(), op, inputs, type);
    nodes.add(n);
    return n;
  }

  /** Applies an op after broadcasting element-wise operands to their common shape. */
  Value apply(Op op, boolean elementwise, Value... in) {
    List<Node> ins = new ArrayList<>();
    for (Value v : in) {
      if (v.tracer() != this) throw new IllegalArgumentException(op.label() + " mixes values of two tracers");
      ins.add(v.node());
    }
    if (elementwise) {
      Shape target = ins.get(0).type().shape();
      for (Node n : ins) if (n.type().shape().size() > target.size() || n.type().shape().rank() > target.rank()) target = n.type().shape();
      for (int i = 0; i < ins.size(); i++) {
        Node n = ins.get(i);
        if (!n.type().shape().equals(target)) {
          if (!TypeRules.canBroadcast(n.type().shape(), target)) {
            throw new IllegalArgumentException(op.label() + " of shapes " + Arrays.toString(shapes(ins)) + ": cannot broadcast");
          }
          ins.set(i, add(new Op.Broadcast(target), n.type().with(target), List.of(n)));
        }
      }
    }
    List<Type> types = new ArrayList<>();
    for (Node n : ins) types.add(n.type());
    return new Value(this, add(op, TypeRules.infer(op, types), ins));
  }

  private static Shape[] shapes(List<Node> ns) {
    return ns.stream().map(n -> n.type().shape()).toArray(Shape[]::new);
  }
}

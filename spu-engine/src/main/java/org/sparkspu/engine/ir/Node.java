package org.sparkspu.engine.ir;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One value of a program: an operation applied to earlier nodes, with its inferred type. Nodes
 * are immutable and compared by identity; a program lists them in topological order.
 */
public final class Node {
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final Type type;

  public Node(int id, Op op, List<Node> inputs, Type type) {
    if (op.arity() >= 0 && op.arity() != inputs.size()) {
      throw new IllegalArgumentException(op.label() + " takes " + op.arity() + " inputs, got " + inputs.size());
    }
    this.id = id;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.type = type;
  }

  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public List<Node> inputs() {
    return inputs;
  }

  public Node input(int i) {
    return inputs.get(i);
  }

  public Type type() {
    return type;
  }

  public Visibility vis() {
    return type.vis();
  }

  public DType dtype() {
    return type.dtype();
  }

  /** "%7 = mul(%3, %5) : secret fxp[10]": ops and types only, never values. */
  @Override
  public String toString() {
    String args = inputs.stream().map(n -> "%" + n.id).collect(Collectors.joining(", "));
    return "%" + id + " = " + op.label() + (inputs.isEmpty() ? "" : "(" + args + ")") + " : " + type;
  }
}

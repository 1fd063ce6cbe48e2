package org.sparkspu.engine.compiler;

import java.util.List;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.ring.Shape;

/** One node of the lowered program: an op, its inputs, and who holds its value. */
final class LNode {
  final int id;
  final LOp op;
  final List<LNode> in;
  final Visibility vis;
  final Shape shape;

  LNode(int id, LOp op, List<LNode> in, Visibility vis, Shape shape) {
    this.id = id;
    this.op = op;
    this.in = List.copyOf(in);
    this.vis = vis;
    this.shape = shape;
  }

  boolean isKernel() {
    return op instanceof LOp.Kernel;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("%" + id + " = " + (op instanceof LOp.Kernel k ? k.label() : op.getClass().getSimpleName()));
    sb.append('(');
    for (int i = 0; i < in.size(); i++) sb.append(i == 0 ? "" : ", ").append('%').append(in.get(i).id);
    return sb.append(") : ").append(vis).append(shape).toString();
  }
}

package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.Node;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Type;

/** The IR-to-IR passes: constant folding, common-subexpression elimination, dead-code elimination. */
final class Passes {
  private Passes() {}

  /** Rewrites nodes in order; {@code rewrite} gets the node with already-mapped inputs. */
  private interface Rewrite {
    Node apply(Node original, List<Node> inputs, List<Node> out);
  }

  private static Program rebuild(Program p, Rewrite rw) {
    Map<Node, Node> map = new IdentityHashMap<>();
    List<Node> out = new ArrayList<>();
    for (Node n : p.nodes()) {
      List<Node> ins = new ArrayList<>(n.inputs().size());
      for (Node i : n.inputs()) ins.add(map.get(i));
      map.put(n, rw.apply(n, ins, out));
    }
    Map<String, Node> outputs = new LinkedHashMap<>();
    p.outputs().forEach((k, v) -> outputs.put(k, map.get(v)));
    return new Program(out, outputs, p.fractionBits());
  }

  private static Node append(List<Node> out, Op op, List<Node> ins, Type type) {
    Node n = new Node(out.size(), op, ins, type);
    out.add(n);
    return n;
  }

  /**
   * Constant folding: a node whose inputs are all constants is evaluated now with the plaintext
   * semantics and replaced by a constant (an error such as log(0) of constants surfaces at compile
   * time). Inputs are never folded.
   */
  static Program fold(Program p, FixedPoint fp) {
    return rebuild(p, (n, ins, out) -> {
      boolean allConst = !ins.isEmpty();
      for (Node i : ins) allConst &= i.op() instanceof Op.Constant;
      if (allConst) {
        List<org.sparkspu.engine.ring.RingTensor> vals = new ArrayList<>();
        List<Type> types = new ArrayList<>();
        for (Node i : ins) {
          vals.add(((Op.Constant) i.op()).value());
          types.add(i.type());
        }
        return append(out, new Op.Constant(PlainEval.eval(n.op(), vals, types, n.type(), fp)), List.of(), n.type());
      }
      return append(out, n.op(), ins, n.type());
    });
  }

  /** Common-subexpression elimination: one node per (op with its parameters, inputs). */
  static Program cse(Program p) {
    Map<List<Object>, Node> seen = new HashMap<>();
    return rebuild(p, (n, ins, out) -> {
      List<Object> key = new ArrayList<>();
      key.add(n.op());
      key.add(n.type());
      for (Node i : ins) key.add(i.id());
      Node prev = seen.get(key);
      if (prev != null) return prev;
      Node m = append(out, n.op(), ins, n.type());
      seen.put(key, m);
      return m;
    });
  }

  /** Dead-code elimination: only nodes an output depends on survive (inputs always survive). */
  static Program dce(Program p) {
    Set<Node> live = new HashSet<>();
    List<Node> stack = new ArrayList<>(p.outputs().values());
    for (Node n : p.nodes()) if (n.op() instanceof Op.Input) stack.add(n);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (live.add(n)) stack.addAll(n.inputs());
    }
    Map<Node, Node> map = new IdentityHashMap<>();
    List<Node> out = new ArrayList<>();
    for (Node n : p.nodes()) {
      if (!live.contains(n)) continue;
      List<Node> ins = new ArrayList<>();
      for (Node i : n.inputs()) ins.add(map.get(i));
      map.put(n, append(out, n.op(), ins, n.type()));
    }
    Map<String, Node> outputs = new LinkedHashMap<>();
    p.outputs().forEach((k, v) -> outputs.put(k, map.get(v)));
    return new Program(out, outputs, p.fractionBits());
  }
}

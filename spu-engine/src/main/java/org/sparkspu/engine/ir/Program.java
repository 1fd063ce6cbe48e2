package org.sparkspu.engine.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A traced tensor program: nodes in topological order, named outputs, and the fixed-point
 * fraction bits its constants were encoded with.
 */
public final class Program {
  private final List<Node> nodes;
  private final Map<String, Node> outputs;
  private final int fractionBits;

  public Program(List<Node> nodes, Map<String, Node> outputs, int fractionBits) {
    Set<Node> seen = new HashSet<>();
    Set<String> inputNames = new HashSet<>();
    for (Node n : nodes) {
      for (Node in : n.inputs()) {
        if (!seen.contains(in)) throw new IllegalArgumentException("node " + n + " uses a node that is not before it");
      }
      if (n.op() instanceof Op.Input in && !inputNames.add(in.name())) {
        throw new IllegalArgumentException("two inputs are named \"" + in.name() + "\"");
      }
      seen.add(n);
    }
    for (Map.Entry<String, Node> e : outputs.entrySet()) {
      if (!seen.contains(e.getValue())) throw new IllegalArgumentException("output \"" + e.getKey() + "\" is not a node of the program");
    }
    this.nodes = List.copyOf(nodes);
    this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    this.fractionBits = fractionBits;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, Node> outputs() {
    return outputs;
  }

  public int fractionBits() {
    return fractionBits;
  }

  public List<Node> inputs() {
    List<Node> r = new ArrayList<>();
    for (Node n : nodes) if (n.op() instanceof Op.Input) r.add(n);
    return r;
  }

  /** Number of operations: nodes other than inputs and constants. */
  public int opCount() {
    int c = 0;
    for (Node n : nodes) if (!(n.op() instanceof Op.Input) && !(n.op() instanceof Op.Constant)) c++;
    return c;
  }

  /** One line per node, then the outputs. */
  public String listing() {
    StringBuilder sb = new StringBuilder();
    for (Node n : nodes) sb.append(n).append('\n');
    outputs.forEach((k, v) -> sb.append("output \"").append(k).append("\" = %").append(v.id()).append('\n'));
    return sb.toString();
  }

  @Override
  public String toString() {
    return listing();
  }
}

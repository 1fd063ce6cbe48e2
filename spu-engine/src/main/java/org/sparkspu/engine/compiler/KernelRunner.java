package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.hal.Fxp;
import org.sparkspu.engine.hal.FxpCost;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Runs one merged group of same-kind kernel nodes as ONE kernel call: operands concatenated
 * (Share.concat), the kernel (or the complex function) applied once, results split back by shape;
 * and declares the group's cost from the protocol's cost formulas.
 */
final class KernelRunner {
  private final Protocol p;
  private final FixedPoint fp;
  private final Fxp fxp;

  KernelRunner(Protocol p, FixedPoint fp) {
    this.p = p;
    this.fp = fp;
    this.fxp = new Fxp(p, fp);
  }

  /** Declared rounds of one call of this kernel kind (independent of its size). */
  int rounds(LOp.Kernel k) {
    if (k instanceof LOp.MatMul) return p.cost(Kernel.MATMUL, 1, 1, 1).rounds();
    return cost(k, 1).rounds();
  }

  private Cost cost(LOp.Kernel k, long n) {
    if (k instanceof LOp.Call c) return FxpCost.of(p, fp, c.fn(), n);
    if (k instanceof LOp.AllNegative a) return p.cost(Kernel.ALL_NEGATIVE, n, a.operands());
    return p.cost(kernelOf(k), n);
  }

  static Kernel kernelOf(LOp.Kernel k) {
    if (k instanceof LOp.Mul) return Kernel.MUL;
    if (k instanceof LOp.Trunc) return Kernel.TRUNC;
    if (k instanceof LOp.Less) return Kernel.LESS;
    if (k instanceof LOp.AllNegative) return Kernel.ALL_NEGATIVE;
    if (k instanceof LOp.Equal) return Kernel.EQUAL;
    if (k instanceof LOp.MatMul) return Kernel.MATMUL;
    if (k instanceof LOp.Input) return Kernel.INPUT;
    if (k instanceof LOp.Reveal) return Kernel.REVEAL;
    if (k instanceof LOp.RevealTo) return Kernel.REVEAL_TO;
    throw new IllegalArgumentException(k.label() + " is not a protocol kernel");
  }

  /** Declared cost of one merged call over the group. */
  Cost cost(LOp.Kernel k, List<LNode> group) {
    if (k instanceof LOp.MatMul) {
      List<Shape> as = new ArrayList<>(), bs = new ArrayList<>();
      for (LNode x : group) {
        as.add(x.in.get(0).shape);
        bs.add(x.in.get(1).shape);
      }
      return MatmulMerge.cost(p, as, bs);
    }
    return cost(k, elements(group));
  }

  static long elements(List<LNode> group) {
    long n = 0;
    for (LNode x : group) n += x.in.get(0).shape.size();
    return n;
  }

  /**
   * Inputs of every owner in one call: each owner's nodes are concatenated into one tensor, and
   * the owners' tensors go through {@link org.sparkspu.engine.mpc.Protocol#inputs} together.
   */
  private void runInputs(List<LNode> group, List<Shape> shapes, Object[] vals) {
    java.util.TreeMap<Integer, List<Integer>> byOwner = new java.util.TreeMap<>();
    for (int i = 0; i < group.size(); i++) {
      byOwner.computeIfAbsent(((LOp.Input) group.get(i).op).owner(), o -> new ArrayList<>()).add(i);
    }
    int k = byOwner.size();
    int[] owners = new int[k];
    RingTensor[] values = new RingTensor[k];
    Shape[] flat = new Shape[k];
    List<List<Integer>> members = new ArrayList<>(byOwner.values());
    int j = 0;
    for (var e : byOwner.entrySet()) {
      owners[j] = e.getKey();
      List<RingTensor> mine = new ArrayList<>();
      int total = 0;
      for (int i : e.getValue()) {
        total += shapes.get(i).size();
        if (p.self() == owners[j]) mine.add((RingTensor) vals[group.get(i).in.get(0).id]);
      }
      flat[j] = Shape.vector(total);
      values[j] = p.self() == owners[j] ? RingTensor.concat(mine) : null;
      j++;
    }
    List<Share> shared = p.inputs(owners, values, flat);
    for (int o = 0; o < k; o++) {
      List<Shape> parts = new ArrayList<>();
      for (int i : members.get(o)) parts.add(shapes.get(i));
      List<Share> pieces = shared.get(o).split(parts);
      for (int m = 0; m < pieces.size(); m++) {
        int i = members.get(o).get(m);
        vals[group.get(i).id] = pieces.get(m).reshape(shapes.get(i));
      }
    }
  }

  /** Runs the group; {@code vals} holds every node's value by id, results are stored there. */
  void run(LOp.Kernel k, List<LNode> group, Object[] vals) {
    int g = group.size();
    List<Shape> shapes = new ArrayList<>(g);
    for (LNode x : group) shapes.add(x.shape);
    if (k instanceof LOp.Input) {
      runInputs(group, shapes, vals);
      return;
    }
    if (k instanceof LOp.MatMul) {
      List<Share> as = new ArrayList<>(), bs = new ArrayList<>();
      for (LNode x : group) {
        as.add((Share) vals[x.in.get(0).id]);
        bs.add((Share) vals[x.in.get(1).id]);
      }
      store(group, MatmulMerge.run(p, as, bs), vals);
      return;
    }
    int arity = group.get(0).in.size();
    Share[] ops = new Share[arity];
    for (int a = 0; a < arity; a++) {
      List<Share> col = new ArrayList<>(g);
      for (LNode x : group) col.add((Share) vals[x.in.get(a).id]);
      ops[a] = g == 1 ? col.get(0) : Share.concat(col);
    }
    if (k instanceof LOp.Reveal || k instanceof LOp.RevealTo) {
      RingTensor r = k instanceof LOp.Reveal ? p.reveal(ops[0]) : p.revealTo(ops[0], ((LOp.RevealTo) k).party());
      List<RingTensor> parts = r == null ? null : g == 1 ? List.of(r) : r.split(shapes);
      for (int i = 0; i < g; i++) vals[group.get(i).id] = parts == null ? null : parts.get(i).reshape(shapes.get(i));
      return;
    }
    Share r;
    if (k instanceof LOp.Mul) r = p.mul(ops[0], ops[1]);
    else if (k instanceof LOp.Trunc t) r = p.trunc(ops[0], t.bits());
    else if (k instanceof LOp.Less) r = p.lessThan(ops[0], ops[1]);
    else if (k instanceof LOp.AllNegative) r = p.allNegative(java.util.Arrays.asList(ops));
    else if (k instanceof LOp.Equal) r = p.equal(ops[0], ops[1]);
    else if (k instanceof LOp.Call c) r = fxp.apply(c.fn(), ops);
    else throw new IllegalArgumentException("unknown kernel " + k.label());
    store(group, g == 1 ? List.of(r.reshape(shapes.get(0))) : r.split(shapes), vals);
  }

  private static void store(List<LNode> group, List<Share> results, Object[] vals) {
    for (int i = 0; i < group.size(); i++) vals[group.get(i).id] = results.get(i);
  }
}

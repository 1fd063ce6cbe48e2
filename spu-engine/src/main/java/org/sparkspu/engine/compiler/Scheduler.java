package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Round merging after MP-SPDZ's Merger (Compiler/allocator.py): the dependency graph of the
 * lowered program, weighted by each kernel's declared rounds; a communicating node's level is the
 * number of rounds on the longest path to it. Kernels run in steps; a step runs ONE kernel kind
 * (with its parameters) over every node of that kind whose inputs are ready, concatenated, so
 * independent products, comparisons or truncations of a level share one exchange and the
 * compiled rounds equal the critical path whenever the levels do not mix kinds.
 *
 * <p>Where ready nodes of several kinds compete (a synchronous kernel cannot overlap another), the
 * step runs the kind of the most urgent node: the one whose latest start (critical path minus
 * its longest path to the end) is earliest. Kinds with slack then wait and merge with later
 * nodes of their kind, as MP-SPDZ's merger moves an instruction to the next round of its type.
 * Kernels whose declared rounds are 0 (ref2k, semi2k's input and 2-party truncation) are local.
 */
final class Scheduler {
  /** One kernel call: its kind, the merged nodes, its first round and its rounds. */
  record Step(LOp.Kernel kernel, List<LNode> nodes, int startRound, int rounds) {}

  record Schedule(List<Step> steps, int rounds, int criticalPath, boolean[] communicating) {}

  private Scheduler() {}

  static Schedule schedule(List<LNode> nodes, ToIntFunction<LOp.Kernel> roundsOf) {
    int n = nodes.size();
    int[] r = new int[n];
    boolean[] comm = new boolean[n];
    List<List<Integer>> consumers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) consumers.add(new ArrayList<>());
    for (LNode x : nodes) {
      if (x.op instanceof LOp.Kernel k) {
        r[x.id] = roundsOf.applyAsInt(k);
        comm[x.id] = r[x.id] > 0;
      }
      for (LNode i : x.in) consumers.get(i.id).add(x.id);
    }
    // earliest finish (forward) and longest path to the end (backward), in rounds
    int[] finish = new int[n];
    int cp = 0;
    for (LNode x : nodes) {
      int start = 0;
      for (LNode i : x.in) start = Math.max(start, finish[i.id]);
      finish[x.id] = start + r[x.id];
      cp = Math.max(cp, finish[x.id]);
    }
    int[] tail = new int[n];
    for (int i = n - 1; i >= 0; i--) {
      int t = 0;
      for (int c : consumers.get(i)) t = Math.max(t, tail[c]);
      tail[i] = t + r[i];
    }
    // list scheduling
    boolean[] avail = new boolean[n];
    List<Step> steps = new ArrayList<>();
    int time = 0;
    while (true) {
      List<LNode> ready = new ArrayList<>();
      for (LNode x : nodes) {
        if (avail[x.id]) continue;
        boolean ok = true;
        for (LNode i : x.in) ok &= avail[i.id];
        if (!ok) continue;
        if (comm[x.id]) ready.add(x);
        else avail[x.id] = true; // local: available as soon as its inputs are (inputs precede it)
      }
      if (ready.isEmpty()) break;
      LNode urgent = ready.get(0);
      for (LNode x : ready) {
        int lx = cp - tail[x.id], lu = cp - tail[urgent.id];
        if (lx < lu) urgent = x;
      }
      LOp.Kernel kind = (LOp.Kernel) urgent.op;
      List<LNode> group = new ArrayList<>();
      for (LNode x : ready) if (((LOp.Kernel) x.op).mergeKey().equals(kind.mergeKey())) group.add(x);
      steps.add(new Step(kind, group, time, r[urgent.id]));
      time += r[urgent.id];
      for (LNode x : group) avail[x.id] = true;
    }
    return new Schedule(List.copyOf(steps), time, cp, comm);
  }
}

package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Type;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;

/**
 * A program compiled for one protocol: the lowered nodes and the merged kernel schedule, with the
 * declared cost of every call. {@link #run} executes it at one party (every party runs the same
 * compiled program: SPMD); {@link #explain} prints it per level, like MP-SPDZ's {@code -a debug}.
 */
public final class CompiledProgram {
  private final Program source;
  private final Program optimized;
  private final Lowering.Result lowered;
  private final Scheduler.Schedule schedule;
  private final Protocol p;
  private final FixedPoint fp;
  private final KernelRunner runner;
  private final List<Cost> stepCosts = new ArrayList<>();
  private final Cost localKernelCost;
  private final int localKernels;
  private final int communicatingOps;

  CompiledProgram(Program source, Program optimized, Lowering.Result lowered, Protocol p, FixedPoint fp) {
    this.source = source;
    this.optimized = optimized;
    this.lowered = lowered;
    this.p = p;
    this.fp = fp;
    this.runner = new KernelRunner(p, fp);
    this.schedule = Scheduler.schedule(lowered.nodes(), runner::rounds);
    for (Scheduler.Step s : schedule.steps()) stepCosts.add(runner.cost(s.kernel(), s.nodes()));
    Cost local = Cost.FREE;
    int nLocal = 0, nComm = 0;
    for (LNode x : lowered.nodes()) {
      if (!(x.op instanceof LOp.Kernel k)) continue;
      if (schedule.communicating()[x.id]) {
        nComm++;
      } else {
        nLocal++;
        local = local.then(runner.cost(k, List.of(x)));
      }
    }
    this.localKernelCost = local;
    this.localKernels = nLocal;
    this.communicatingOps = nComm;
  }

  public Protocol protocol() {
    return p;
  }

  /** Operations of the traced program (nodes other than inputs and constants). */
  public int sourceOps() {
    return source.opCount();
  }

  /** Operations after constant folding, CSE and DCE. */
  public int optimizedOps() {
    return optimized.opCount();
  }

  public Program optimized() {
    return optimized;
  }

  /** Communicating kernel nodes before merging. */
  public int communicatingOps() {
    return communicatingOps;
  }

  /** Communicating kernel calls after merging (one per level and kind). */
  public int kernelCalls() {
    return schedule.steps().size();
  }

  /** Rounds of the compiled program: the sum of its calls' declared rounds. */
  public int rounds() {
    return schedule.rounds();
  }

  /** Longest path of the dependency graph in declared rounds: no schedule can take fewer. */
  public int criticalPath() {
    return schedule.criticalPath();
  }

  /** Declared rounds and bytes (summed over parties) of the whole program. */
  public Cost expectedCost() {
    Cost c = localKernelCost;
    for (Cost s : stepCosts) c = c.then(s);
    return c;
  }

  /** A step's kernel label; a merged input names all its owners, e.g. "input(0,1)". */
  private static String label(Scheduler.Step s) {
    if (!(s.kernel() instanceof LOp.Input)) return s.kernel().label();
    java.util.TreeSet<Integer> owners = new java.util.TreeSet<>();
    for (LNode x : s.nodes()) owners.add(((LOp.Input) x.op).owner());
    StringBuilder b = new StringBuilder("input(");
    for (int o : owners) b.append(b.length() > 6 ? "," : "").append(o);
    return b.append(')').toString();
  }

  /** The compiled program per level: kernel, fused nodes, elements, declared rounds and bytes. */
  public String explain() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("compiled for %s (%d parties, f = %d): %d ops (%d after folding, CSE and DCE), %d communicating%n",
        p.name(), p.parties(), fp.fractionBits(), sourceOps(), optimizedOps(), communicatingOps));
    sb.append(String.format("%5s %5s  %-18s %6s %10s %6s %12s%n", "level", "round", "kernel", "fused", "elements", "rounds", "bytes"));
    List<Scheduler.Step> steps = schedule.steps();
    for (int i = 0; i < steps.size(); i++) {
      Scheduler.Step s = steps.get(i);
      Cost c = stepCosts.get(i);
      sb.append(String.format("%5d %5d  %-18s %6d %10d %6d %12d%n", i, s.startRound(), label(s), s.nodes().size(),
          KernelRunner.elements(s.nodes()), c.rounds(), c.bytes()));
    }
    Cost total = expectedCost();
    if (localKernels > 0) {
      sb.append(String.format("  + %d kernel calls with 0 declared rounds in %s (run in place), %d bytes%n", localKernels, p.name(),
          localKernelCost.bytes()));
    }
    sb.append(String.format("total: %d kernel calls, %d rounds (critical path %d), %d bytes sent by all parties%n",
        kernelCalls(), total.rounds(), criticalPath(), total.bytes()));
    return sb.toString();
  }

  @Override
  public String toString() {
    return explain();
  }

  // ---------------------------------------------------------------------------------------------
  // execution

  /**
   * Runs the program at this party. {@code inputs} maps input names to values: for public inputs
   * (every party, identical) and this party's private inputs a double[] (fixed point, or integral
   * values for integer inputs), long[] (integer values) or an encoded RingTensor; for secret inputs
   * this party's Share. Other parties' private inputs must be absent.
   */
  public Outputs run(Map<String, ?> inputs) {
    List<LNode> nodes = lowered.nodes();
    Object[] vals = new Object[nodes.size()];
    boolean[] done = new boolean[nodes.size()];
    for (Scheduler.Step s : schedule.steps()) {
      runLocal(vals, done, inputs);
      runner.run(s.kernel(), s.nodes(), vals);
      for (LNode x : s.nodes()) done[x.id] = true;
    }
    runLocal(vals, done, inputs);
    Map<String, Object> out = new LinkedHashMap<>();
    lowered.outputs().forEach((k, v) -> out.put(k, vals[v.id]));
    return new Outputs(out, lowered.outputTypes(), fp);
  }

  private void runLocal(Object[] vals, boolean[] done, Map<String, ?> inputs) {
    boolean[] comm = schedule.communicating();
    for (LNode x : lowered.nodes()) {
      if (done[x.id] || comm[x.id]) continue;
      boolean ready = true;
      for (LNode i : x.in) ready &= done[i.id];
      if (!ready) continue;
      if (x.op instanceof LOp.Kernel k) runner.run(k, List.of(x), vals);
      else vals[x.id] = local(x, vals, inputs);
      done[x.id] = true;
    }
  }

  private boolean holds(Visibility v) {
    return !(v instanceof Visibility.Private pv) || pv.party() == p.self();
  }

  private Object local(LNode x, Object[] vals, Map<String, ?> inputs) {
    LOp op = x.op;
    List<Object> in = new ArrayList<>(x.in.size());
    for (LNode i : x.in) in.add(vals[i.id]);
    if (op instanceof LOp.Bind b) return bind(b, inputs);
    if (op instanceof LOp.Const c) return c.value();
    if (!holds(x.vis)) return null;
    if (op instanceof LOp.Plain pl) {
      List<RingTensor> args = new ArrayList<>();
      for (Object o : in) args.add((RingTensor) o);
      return PlainEval.eval(pl.op(), args, pl.inTypes(), pl.outType(), fp);
    }
    if (op instanceof LOp.ShareOf) return p.constant((RingTensor) in.get(0));
    if (op instanceof LOp.Struct s) {
      List<Share> args = new ArrayList<>();
      for (Object o : in) args.add((Share) o);
      return Tensors.applyShares(s.op(), args);
    }
    if (op instanceof LOp.Neg) return in.get(0) instanceof Share s ? p.neg(s) : ((RingTensor) in.get(0)).neg();
    if (op instanceof LOp.Affine a) return affine(in.get(0), a.mul(), a.add());
    Object u = in.get(0), v = in.get(1);
    if (op instanceof LOp.Add) {
      if (u instanceof Share a && v instanceof Share b) return p.add(a, b);
      if (u instanceof Share a) return p.addPublic(a, (RingTensor) v);
      if (v instanceof Share b) return p.addPublic(b, (RingTensor) u);
      return ((RingTensor) u).add((RingTensor) v);
    }
    if (op instanceof LOp.Sub) {
      if (u instanceof Share a && v instanceof Share b) return p.sub(a, b);
      if (u instanceof Share a) return p.addPublic(a, ((RingTensor) v).neg());
      if (v instanceof Share b) return p.addPublic(p.neg(b), (RingTensor) u);
      return ((RingTensor) u).sub((RingTensor) v);
    }
    if (op instanceof LOp.MulPublic) {
      if (u instanceof Share a) return p.mulPublic(a, (RingTensor) v);
      if (v instanceof Share b) return p.mulPublic(b, (RingTensor) u);
      return ((RingTensor) u).mul((RingTensor) v);
    }
    if (op instanceof LOp.MatMulPublic m) {
      return m.publicLeft() ? p.publicMatmul((RingTensor) u, (Share) v) : p.matmulPublic((Share) u, (RingTensor) v);
    }
    throw new IllegalStateException("no local semantics for " + op);
  }

  private Object affine(Object x, long mul, long add) {
    if (x instanceof Share s) {
      Share r = mul == 1 ? s : p.mulPublic(s, RingTensor.fill(s.shape(), mul));
      return add == 0 ? r : p.addPublic(r, RingTensor.fill(s.shape(), add));
    }
    RingTensor t = (RingTensor) x;
    return t.mulScalar(mul).addScalar(add);
  }

  /**
   * Encodes plaintext input values; an unencodable value (NaN, infinite, |x| >= 2^(62-f)) is an
   * error naming the input and the position but not the value, which may be a party's private data.
   */
  static RingTensor encode(FixedPoint fp, double[] v, org.sparkspu.engine.ring.Shape shape, String what) {
    if (v.length != shape.size()) throw new IllegalArgumentException(what + ": " + v.length + " values for shape " + shape);
    double max = fp.maxMagnitude();
    for (int i = 0; i < v.length; i++) {
      if (!(Math.abs(v[i]) < max)) {
        throw new org.sparkspu.engine.hal.EncodingException(what + " at position " + i + " is NaN, infinite or outside the"
            + " encodable range |x| < 2^" + (62 - fp.fractionBits()));
      }
    }
    return fp.encode(v, shape, what);
  }

  private Object bind(LOp.Bind b, Map<String, ?> inputs) {
    Type t = b.type();
    String name = b.name();
    Object v = inputs.get(name);
    if (t.vis() instanceof Visibility.Private pv && pv.party() != p.self()) {
      if (v != null) {
        throw new IllegalArgumentException("input \"" + name + "\" is private to party " + pv.party() + "; party " + p.self()
            + " must not supply it");
      }
      return null;
    }
    if (v == null) throw new IllegalArgumentException("input \"" + name + "\" (" + t + ") is missing at party " + p.self());
    if (t.vis().isSecret()) {
      if (!(v instanceof Share s) || !s.shape().equals(t.shape()) || s.kind() != Share.Kind.ARITH) {
        throw new IllegalArgumentException("secret input \"" + name + "\" needs an arithmetic Share of shape " + t.shape());
      }
      return s;
    }
    RingTensor r;
    if (v instanceof RingTensor rt) {
      r = rt;
    } else if (v instanceof double[] d) {
      if (t.dtype() == DType.FXP) {
        r = encode(fp, d, t.shape(), "input \"" + name + "\"");
      } else {
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) {
          if (d[i] != Math.rint(d[i])) {
            throw new IllegalArgumentException("integer input \"" + name + "\" at position " + i + " is not an integer");
          }
          l[i] = (long) d[i];
        }
        r = FixedPoint.encodeIntegers(l, t.shape(), "input \"" + name + "\"");
      }
    } else if (v instanceof long[] l) {
      r = FixedPoint.encodeIntegers(l, t.shape(), "input \"" + name + "\"");
      if (t.dtype() == DType.FXP) r = PlainEval.convert(r, DType.INT, DType.FXP, fp.fractionBits(), new org.sparkspu.engine.ir.Op.Input(name));
    } else {
      throw new IllegalArgumentException("input \"" + name + "\" must be a double[], long[] or RingTensor, got " + v.getClass().getSimpleName());
    }
    if (!r.shape().equals(t.shape())) {
      throw new IllegalArgumentException("input \"" + name + "\" has shape " + r.shape() + ", the program expects " + t.shape());
    }
    return r;
  }
}

package org.sparkspu.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.sparkspu.engine.compiler.CompiledProgram;
import org.sparkspu.engine.compiler.Compiler;
import org.sparkspu.engine.hal.ExpMode;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.hal.Fn;
import org.sparkspu.engine.hal.Fxp;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Node;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * {@code bench/run compiler}: what the compiler's merging buys and how accurate and fast the
 * fixed-point functions are, all parties as threads of one JVM ("sim").
 *
 * <ul>
 *   <li>{"bench":"compiler"} per program and protocol: IR ops, measured rounds and bytes (profile),
 *       the compiler's critical path, kernel calls after merging (and communicating ops before);
 *   <li>{"bench":"fxp"} per function and protocol on n random inputs over the function's range:
 *       time of the call (median of 3 after 3 warm-ups, parties synchronised before each), max
 *       abs error and max rel error (over outputs |y| >= 1e-3) against double arithmetic,
 *       measured rounds, and whether every point is within SPU's tolerance
 *       (rtol 0.01, atol 0.001); "target" lines check the tighter targets.
 * </ul>
 *
 * Secret inputs are shared before the measured part; outputs stay secret (opened afterwards, for
 * checking, outside the measurement).
 */
public final class CompilerBench implements BenchMain.Suite {
  private static final int F = 18;
  private static final double ULP = Math.scalb(1.0, -F);

  @Override
  public void run(boolean quick) throws Exception {
    List<SessionConfig> cfgs = List.of(SessionConfig.aby3(), SessionConfig.semi2k(2));
    for (SessionConfig cfg : cfgs) {
      for (Prog prog : programs()) program(cfg, prog);
    }
    int n = 10_000;
    for (SessionConfig cfg : cfgs) {
      for (FnCase c : functions()) fxp(cfg, c, n, 3);
    }
    Payoff.run(quick);
  }

  // ---------------------------------------------------------------------------------------------
  // compiler programs

  /** A program and the plaintext of its secret inputs (fixed point unless listed as integers). */
  private record Prog(String name, Program program, Map<String, double[]> inputs) {}

  private static List<Prog> programs() {
    List<Prog> out = new ArrayList<>();
    Random r = new Random(1);
    {
      Tracer t = new Tracer();
      Value a = t.secretInts("a", Shape.scalar()), b = t.secretInts("b", Shape.scalar());
      Value c = t.secretInts("c", Shape.scalar()), d = t.secretInts("d", Shape.scalar());
      t.output("ab", a.mul(b));
      t.output("cd", c.mul(d));
      out.add(new Prog("a*b; c*d", t.build(), Map.of("a", new double[] {3}, "b", new double[] {5}, "c", new double[] {7},
          "d", new double[] {11})));
    }
    {
      Tracer t = new Tracer();
      Value a = t.secretInput("a", Shape.scalar()), b = t.secretInput("b", Shape.scalar());
      Value c = t.secretInput("c", Shape.scalar()), d = t.secretInput("d", Shape.scalar());
      t.output("ab", a.mul(b));
      t.output("cd", c.mul(d));
      out.add(new Prog("a*b; c*d (fixed point)", t.build(), Map.of("a", new double[] {1.5}, "b", new double[] {2.5}, "c",
          new double[] {-0.75}, "d", new double[] {4})));
    }
    {
      Tracer t = new Tracer();
      Map<String, double[]> in = new HashMap<>();
      for (int i = 0; i < 1000; i++) {
        Value a = t.secretInts("a" + i, Shape.scalar()), b = t.secretInts("b" + i, Shape.scalar());
        in.put("a" + i, new double[] {r.nextInt(1000)});
        in.put("b" + i, new double[] {r.nextInt(1000)});
        t.output("p" + i, a.mul(b));
      }
      out.add(new Prog("1000 independent scalar mults", t.build(), in));
    }
    {
      Tracer t = new Tracer();
      Map<String, double[]> in = new HashMap<>();
      for (int i = 0; i < 1000; i++) {
        Value a = t.secretInput("a" + i, Shape.vector(100)), b = t.secretInput("b" + i, Shape.vector(100));
        in.put("a" + i, random(r, 100, -100, 100));
        in.put("b" + i, random(r, 100, -100, 100));
        t.output("c" + i, a.less(b));
      }
      out.add(new Prog("100k independent comparisons (1000 ops x 100)", t.build(), in));
    }
    {
      Tracer t = new Tracer();
      Map<String, double[]> in = new HashMap<>();
      Value x = t.secretInput("x", Shape.vector(1000));
      in.put("x", random(r, 1000, -1, 1));
      for (int l = 0; l < 10; l++) {
        Value w = t.secretInput("w" + l, Shape.vector(1000)), b = t.secretInput("b" + l, Shape.vector(1000));
        in.put("w" + l, random(r, 1000, -1, 1));
        in.put("b" + l, random(r, 1000, -0.5, 0.5));
        x = x.mul(w).add(b);
      }
      t.output("y", x);
      out.add(new Prog("10-layer chain (x = x*w + b, 1000 wide)", t.build(), in));
    }
    return out;
  }

  private static double[] random(Random r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + r.nextDouble() * (hi - lo);
    return v;
  }

  private static void program(SessionConfig cfg, Prog prog) {
    Program program = prog.program();
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      FixedPoint fp = s.fixedPoint();
      // share every secret input in one call, split locally
      List<Node> ins = program.inputs();
      List<Shape> shapes = new ArrayList<>();
      List<Long> all = new ArrayList<>();
      for (Node n : ins) {
        shapes.add(n.type().shape());
        double[] v = prog.inputs().get(((Op.Input) n.op()).name());
        for (double d : v) all.add(n.dtype() == DType.FXP ? fp.encode(d) : (long) d);
      }
      long[] flat = new long[all.size()];
      for (int i = 0; i < flat.length; i++) flat[i] = all.get(i);
      Share shared = p.input(0, s.self() == 0 ? RingTensor.wrap(flat, Shape.vector(flat.length)) : null, Shape.vector(flat.length));
      List<Share> parts = shared.split(shapes);
      Map<String, Object> inputs = new HashMap<>();
      for (int i = 0; i < ins.size(); i++) inputs.put(((Op.Input) ins.get(i).op()).name(), parts.get(i));
      long c0 = System.nanoTime();
      CompiledProgram cp = Compiler.compile(program, p, fp);
      long compileNanos = System.nanoTime() - c0;
      cp.run(inputs); // warm-up
      sync(p);
      s.profile().clear();
      long t0 = System.nanoTime();
      cp.run(inputs);
      long runNanos = System.nanoTime() - t0;
      return new Object[] {cp, compileNanos, runNanos, Profile.merge(List.of(s.profile()))};
    });
    CompiledProgram cp = (CompiledProgram) res.output(0)[0];
    List<Profile> profiles = new ArrayList<>();
    long run = 0;
    for (Object[] o : res.outputs()) {
      profiles.add((Profile) o[3]);
      run = Math.max(run, (Long) o[2]);
    }
    Profile.Entry total = Profile.merge(profiles).total();
    if (prog.name().startsWith("a*b; c*d")) System.err.print(cp.explain());
    Json.of("compiler").put("program", prog.name()).put("protocol", cfg.protocol()).put("ops", program.opCount())
        .put("rounds", total.rounds()).put("critical_path", cp.criticalPath())
        .put("bytes_per_party", total.bytesSent() / (double) cfg.parties()).put("merged_calls", cp.kernelCalls())
        .put("communicating_ops", cp.communicatingOps()).put("declared_rounds", cp.expectedCost().rounds())
        .put("declared_bytes_match", cp.expectedCost().bytes() == total.bytesSent())
        .put("compile_seconds", (Long) res.output(0)[1] / 1e9).put("run_seconds", run / 1e9).print();
  }

  // ---------------------------------------------------------------------------------------------
  // fixed-point functions

  /**
   * A function on a range: {@code x} sampled log-uniformly (|x| in [lo, hi], random signs if
   * {@code signed}) or uniformly; {@code target} is an extra accuracy target (rel or abs) or null.
   */
  private record FnCase(String name, Fn fn, double lo, double hi, boolean logScale, boolean signed, String targetKind,
      double target, DoubleUnaryOperator ref) {}

  private static List<FnCase> functions() {
    return List.of(
        new FnCase("reciprocal", new Fn.Reciprocal(false), Math.scalb(1.0, -8), Math.scalb(1.0, 10), true, true, "rel", 1e-4, v -> 1 / v),
        new FnCase("div", new Fn.Div(false), Math.scalb(1.0, -8), Math.scalb(1.0, 10), true, true, null, 0, null),
        new FnCase("exp_taylor", new Fn.Exp(ExpMode.TAYLOR), -16.7, 2.1, false, false, null, 0, Math::exp),
        new FnCase("exp_wide", new Fn.Exp(ExpMode.WIDE), -12, 22, false, false, null, 0, Math::exp),
        new FnCase("log", new Fn.Log(), 0.01, Math.scalb(1.0, 10), true, false, "rel", 1e-3, Math::log),
        new FnCase("sqrt", new Fn.Sqrt(), 0.36, 12142, true, false, null, 0, Math::sqrt),
        new FnCase("rsqrt", new Fn.Rsqrt(), 0.36, 12142, true, false, null, 0, v -> 1 / Math.sqrt(v)),
        new FnCase("sigmoid_mm1", new Fn.Sigmoid(SigmoidMode.MM1), -4, 4, false, false, null, 0, v -> 1 / (1 + Math.exp(-v))),
        new FnCase("sigmoid_seg3", new Fn.Sigmoid(SigmoidMode.SEG3), -8, 8, false, false, null, 0, v -> 1 / (1 + Math.exp(-v))),
        new FnCase("sigmoid_real", new Fn.Sigmoid(SigmoidMode.REAL), -8, 8, false, false, "abs", 1e-3, v -> 1 / (1 + Math.exp(-v))),
        new FnCase("tanh", new Fn.Tanh(), -5, 5, false, false, null, 0, Math::tanh));
  }

  private static void fxp(SessionConfig cfg, FnCase c, int n, int reps) {
    Random r = new Random(7);
    FixedPoint fp = new FixedPoint(F);
    double[] x = new double[n], y = new double[n], want = new double[n];
    for (int i = 0; i < n; i++) {
      double m = c.logScale() ? Math.exp(Math.log(c.lo()) + r.nextDouble() * Math.log(c.hi() / c.lo()))
          : c.lo() + r.nextDouble() * (c.hi() - c.lo());
      if (i == 0) m = c.lo();
      if (i == 1) m = c.logScale() ? c.hi() * 0.9999 : c.hi();
      x[i] = fp.decode(fp.encode(c.signed() && r.nextBoolean() ? -m : m));
    }
    if (c.fn() instanceof Fn.Div) {
      // divisors x over the range, quotients within +-64 (see Fxp.div on truncation failures)
      for (int i = 0; i < n; i++) {
        double q = r.nextDouble() * 128 - 64;
        y[i] = x[i];
        x[i] = fp.decode(fp.encode(q * y[i]));
        want[i] = x[i] / y[i];
      }
    } else {
      for (int i = 0; i < n; i++) want[i] = c.ref().applyAsDouble(x[i]);
    }
    boolean binary = c.fn().arity() == 2;
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Fxp fxp = new Fxp(p, s.fixedPoint());
      Shape shape = Shape.vector(n);
      Share a = p.input(0, s.self() == 0 ? fp.encode(x) : null, shape);
      Share b = binary ? p.input(0, s.self() == 0 ? fp.encode(y) : null, shape) : null;
      Share[] args = binary ? new Share[] {a, b} : new Share[] {a};
      for (int k = 0; k < 3; k++) fxp.apply(c.fn(), args); // warm-up (JIT)
      long[] times = new long[reps];
      Share out = null;
      Profile prof = null;
      for (int k = 0; k < reps; k++) {
        sync(p);
        s.profile().clear();
        long t0 = System.nanoTime();
        out = fxp.apply(c.fn(), args);
        times[k] = System.nanoTime() - t0;
        prof = Profile.merge(List.of(s.profile()));
      }
      java.util.Arrays.sort(times);
      return new Object[] {fp.decode(p.reveal(out)), times[reps / 2], prof};
    });
    double[] got = (double[]) res.output(0)[0];
    long nanos = 0;
    List<Profile> profiles = new ArrayList<>();
    for (Object[] o : res.outputs()) {
      nanos = Math.max(nanos, (Long) o[1]);
      profiles.add((Profile) o[2]);
    }
    double maxAbs = 0, maxRel = 0;
    boolean spu = true, target = true;
    for (int i = 0; i < n; i++) {
      double err = Math.abs(got[i] - want[i]);
      maxAbs = Math.max(maxAbs, err);
      if (Math.abs(want[i]) >= 1e-3) maxRel = Math.max(maxRel, err / Math.abs(want[i]));
      spu &= err <= 0.001 + 0.01 * Math.abs(want[i]);
      if ("rel".equals(c.targetKind())) target &= err <= c.target() * Math.abs(want[i]) + ULP;
      if ("abs".equals(c.targetKind())) target &= err <= c.target();
    }
    Profile.Entry total = Profile.merge(profiles).total();
    Json j = Json.of("fxp").put("fn", c.name()).put("protocol", cfg.protocol()).put("n", n).put("seconds", nanos / 1e9)
        .put("max_abs_err", maxAbs).put("max_rel_err", maxRel).put("rel_err_over", "|y| >= 1e-3").put("rounds", total.rounds())
        .put("bytes_per_party", total.bytesSent() / (double) cfg.parties()).put("range", range(c))
        .put("pass_spu_tolerance", spu);
    if (c.targetKind() != null) {
      String t = c.targetKind().equals("rel") ? "rel_err<=" + c.target() + " (+1 ulp) on " + range(c) : "abs_err<=" + c.target() + " on " + range(c);
      j.put("target", t).put("pass_target", target);
    }
    if (c.name().equals("sigmoid_real") && cfg.protocol().equals("aby3")) {
      j.put("speed_target", "10k in aby3 sim <= 0.1 s and <= 120 rounds").put("pass_speed_target", nanos / 1e9 <= 0.1 && total.rounds() <= 120);
    }
    j.print();
  }

  /** A round trip in which every party waits for every other: the timed part starts together. */
  static void sync(Protocol p) {
    p.reveal(p.constant(RingTensor.scalar(0)));
  }

  private static String range(FnCase c) {
    String lo = c.logScale() && c.lo() < 0.01 ? "2^" + Math.round(Math.log(c.lo()) / Math.log(2)) : trim(c.lo());
    String hi = c.logScale() && c.hi() >= 1024 && Math.abs(Math.log(c.hi()) / Math.log(2) - Math.round(Math.log(c.hi()) / Math.log(2))) < 1e-9
        ? "2^" + Math.round(Math.log(c.hi()) / Math.log(2)) : trim(c.hi());
    return (c.signed() ? "|x| in [" : "x in [") + lo + ", " + hi + "]";
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}

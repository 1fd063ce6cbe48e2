package org.sparkspu.engine.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * Every fixed-point function on secrets against double arithmetic, in ref2k, semi2k (2 parties)
 * and aby3: SPU's own approximation test inputs at SPU's tolerance, random and edge inputs over each
 * function's documented range at its documented accuracy, the documented values outside the range,
 * and the declared cost against the measured profile.
 */
class FxpTest {
  static final int F = 18;
  static final double ULP = Math.scalb(1.0, -F);

  static Stream<SessionConfig> configs() {
    return Stream.of(SessionConfig.of("ref2k", 3), SessionConfig.semi2k(2), SessionConfig.aby3());
  }

  /** One function on one input set (b is null for unary functions). */
  record Case(String name, double[] a, double[] b, BiFunction<Fxp, Share[], Share> fn, DoubleBinaryOperator ref,
      double rtol, double atol) {}

  static Case unary(String name, double[] a, Fn fn, double rtol, double atol) {
    return new Case(name, a, null, (x, s) -> x.apply(fn, s[0]), (u, v) -> fn.reference(u), rtol, atol);
  }

  /** Runs all cases in one session: party 0 inputs a, the last party b; results revealed and decoded. */
  static Map<String, double[]> run(SessionConfig cfg, List<Case> cases, Profile[] profileOut) {
    FixedPoint fp = new FixedPoint(F);
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Fxp fxp = new Fxp(p, fp);
      Map<String, double[]> out = new LinkedHashMap<>();
      List<Profile> profiles = new ArrayList<>();
      int last = s.parties() - 1;
      for (Case c : cases) {
        Shape shape = Shape.vector(c.a().length);
        Share a = p.input(0, s.self() == 0 ? fp.encode(c.a()) : null, shape);
        Share b = c.b() == null ? null : p.input(last, s.self() == last ? fp.encode(c.b()) : null, shape);
        s.profile().clear();
        Share r = c.fn().apply(fxp, b == null ? new Share[] {a} : new Share[] {a, b});
        profiles.add(copy(s.profile()));
        out.put(c.name(), fp.decode(p.reveal(r)));
      }
      return Map.entry(out, profiles);
    });
    if (profileOut != null) {
      for (int i = 0; i < cases.size(); i++) {
        List<Profile> perParty = new ArrayList<>();
        for (var o : res.outputs()) perParty.add(o.getValue().get(i));
        profileOut[i] = Profile.merge(perParty);
      }
    }
    return res.output(0).getKey();
  }

  static Profile copy(Profile p) {
    return Profile.merge(List.of(p));
  }

  static void check(SessionConfig cfg, Case c, double[] got) {
    double ma = 0, mr = 0;
    for (int i = 0; i < got.length; i++) {
      double want = c.ref().applyAsDouble(c.a()[i], c.b() == null ? 0 : c.b()[i]);
      ma = Math.max(ma, Math.abs(got[i] - want));
      if (Math.abs(want) > 1e-9) mr = Math.max(mr, Math.abs(got[i] - want) / (Math.abs(want) + ULP));
    }
    if (Boolean.getBoolean("fxp.report")) System.err.printf("%-8s %-14s abs %.3g rel %.3g%n", cfg.protocol(), c.name(), ma, mr);
    for (int i = 0; i < got.length; i++) {
      final int k = i;
      double want = c.ref().applyAsDouble(c.a()[k], c.b() == null ? 0 : c.b()[k]);
      double err = Math.abs(got[k] - want);
      assertTrue(err <= c.atol() + c.rtol() * Math.abs(want), () -> cfg.protocol() + " " + c.name() + "(" + c.a()[k]
          + (c.b() == null ? "" : ", " + c.b()[k]) + "): got " + got[k] + ", want " + want);
    }
  }

  static double[] linspace(double lo, double hi, int n) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) r[i] = lo + (hi - lo) * i / (n - 1);
    return r;
  }

  /** Values log-uniform in [lo, hi] with random signs if {@code signed}, plus the ends. */
  static double[] logUniform(Random r, double lo, double hi, int n, boolean signed) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double m = i == 0 ? lo : i == 1 ? hi * 0.9999 : Math.exp(Math.log(lo) + r.nextDouble() * Math.log(hi / lo));
      v[i] = signed && r.nextBoolean() ? -m : m;
    }
    return v;
  }

  static double[] uniform(Random r, double lo, double hi, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + r.nextDouble() * (hi - lo);
    return v;
  }

  static double[] withEdges(double[] v, double... edges) {
    double[] r = v.clone();
    System.arraycopy(edges, 0, r, 0, Math.min(edges.length, r.length));
    return r;
  }

  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("configs")
  void spuApproximationTestInputsPassSpuTolerance(SessionConfig cfg) {
    double rtol = 0.01, atol = 0.001;
    double[] tanhIn = {0.1, 0.2, 0.5, 0.7, 0.9, 2.1, 2.5, 4.0, -0.1, -0.2, -0.5, -0.7, -0.9, -2.1, -2.5, -4.0};
    double[] roots = {0.36, 1.25, 2.5, 32, 123, 234.75, 556.6, 12142};
    double[] recip = new double[40];
    for (int i = 0; i < 40; i++) recip[i] = (i % 2 == 0 ? 1 : -1) * Math.scalb(1.37, -10 + i * 27 / 40);
    List<Case> cases = List.of(
        unary("exp_taylor", new double[] {-500.0, -100.0, -16.7, -14.3, -12.5, -11.0, -9.9, -6.7, -3.0, -1.0, -0.5, 0.5,
            1.0, 1.5, 1.7, 2.1}, new Fn.Exp(ExpMode.TAYLOR), rtol, atol),
        unary("exp_wide", linspace(-22, 22, 4000), new Fn.Exp(ExpMode.WIDE), rtol, atol),
        unary("log", new double[] {0.05, 0.5, 5, 50}, new Fn.Log(), rtol, atol),
        unary("tanh", tanhIn, new Fn.Tanh(), rtol, atol),
        unary("rsqrt", roots, new Fn.Rsqrt(), rtol, atol),
        unary("sqrt", roots, new Fn.Sqrt(), rtol, atol),
        unary("reciprocal", recip, new Fn.Reciprocal(false), rtol, atol),
        unary("sigmoid", tanhIn, new Fn.Sigmoid(SigmoidMode.REAL), rtol, atol));
    Map<String, double[]> got = run(cfg, cases, null);
    for (Case c : cases) check(cfg, c, got.get(c.name()));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void eachFunctionMatchesPlaintextOverItsRange(SessionConfig cfg) {
    Random r = new Random(11);
    int n = 300;
    List<Case> cases = new ArrayList<>();
    cases.add(unary("reciprocal", logUniform(r, Math.scalb(1.0, -8), Math.scalb(1.0, 17), n, true),
        new Fn.Reciprocal(false), 1e-4, 2 * ULP));
    // quotients within +-64 and operands below 2^26 (the truncation contract): failures negligible
    double[] divisors = logUniform(r, Math.scalb(1.0, -8), Math.scalb(1.0, 19), n, true);
    double[] quotients = uniform(r, -64, 64, n);
    double[] dividends = new double[n];
    for (int i = 0; i < n; i++) dividends[i] = quotients[i] * divisors[i];
    cases.add(new Case("div", dividends, divisors, (x, s) -> x.div(s[0], s[1], false), (u, v) -> u / v, 1e-4, 4 * ULP));
    cases.add(unary("exp_wide", withEdges(uniform(r, -12, 22, n), 0, -12.4, 22.1), new Fn.Exp(ExpMode.WIDE), 1e-4, 2 * ULP));
    cases.add(unary("exp_taylor", withEdges(uniform(r, -16, 2.2, n), 0, -16.7, 2.1), new Fn.Exp(ExpMode.TAYLOR), 0.01, 0.001));
    cases.add(unary("log", withEdges(logUniform(r, Math.scalb(1.0, -17), 3.5e5, n, false), 1, 0.999, 1.001, 0.75, 1.5),
        new Fn.Log(), 1e-4, 3 * ULP));
    cases.add(unary("sqrt", withEdges(logUniform(r, Math.scalb(1.0, -17), 1.3e5, n, false), 1, 0.25, 4),
        new Fn.Sqrt(), 1e-4, 2 * ULP));
    cases.add(unary("rsqrt", withEdges(logUniform(r, Math.scalb(1.0, -10), 1.3e5, n, false), 1, 0.25, 4),
        new Fn.Rsqrt(), 1e-4, 2 * ULP));
    cases.add(unary("sigmoid_real", withEdges(uniform(r, -40, 40, n), 0, 8, -8, 2.4, -2.4, 1e6, -1e6),
        new Fn.Sigmoid(SigmoidMode.REAL), 0, 2e-4));
    cases.add(unary("sigmoid_mm1", uniform(r, -10, 10, n), new Fn.Sigmoid(SigmoidMode.MM1), 0, 2 * ULP));
    cases.add(unary("sigmoid_seg3", withEdges(uniform(r, -10, 10, n), 4, -4, 0), new Fn.Sigmoid(SigmoidMode.SEG3), 0, 2 * ULP));
    cases.add(unary("tanh", withEdges(uniform(r, -20, 20, n), 0, 1e5, -1e5), new Fn.Tanh(), 0, 4e-4));
    double[] ints = uniform(r, -1e6, 1e6, n);
    cases.add(new Case("abs", ints, null, (x, s) -> x.abs(s[0]), (u, v) -> Math.abs(u), 0, 0));
    cases.add(new Case("max", ints, uniform(r, -1e6, 1e6, n), (x, s) -> x.max(s[0], s[1]), Math::max, 0, 0));
    cases.add(new Case("min", ints, uniform(r, -1e6, 1e6, n), (x, s) -> x.min(s[0], s[1]), Math::min, 0, 0));
    cases.add(new Case("clamp", ints, null, (x, s) -> x.clamp(s[0], -1000, 2000.5), (u, v) -> Math.max(-1000, Math.min(2000.5, u)), 0, 0));
    Map<String, double[]> got = run(cfg, cases, null);
    for (Case c : cases) check(cfg, roundInputs(c), got.get(c.name()));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void outsideTheirRangesFunctionsReturnTheDocumentedValues(SessionConfig cfg) {
    double lnMin = -F * Math.log(2);
    double[] tiny = {0};
    List<Case> cases = List.of(
        fixed("reciprocal_of_zero", tiny, new Fn.Reciprocal(false), 0),
        fixed("reciprocal_of_huge", new double[] {Math.scalb(1.0, 20), -1e9, 3e12}, new Fn.Reciprocal(false), 0),
        fixed("log_of_nonpositive", new double[] {0, -1, -3e12, -Math.scalb(1.0, -F)}, new Fn.Log(), lnMin),
        fixed("log_of_huge", new double[] {4e5, 1e9, 1.6e13}, new Fn.Log(), Math.log(1.5 * Math.scalb(1.0, F))),
        fixed("sqrt_of_negative", new double[] {-1, -1e9, 0}, new Fn.Sqrt(), 0),
        fixed("sqrt_of_huge", new double[] {Math.scalb(1.0, 17), 1e10}, new Fn.Sqrt(), Math.sqrt(Math.scalb(1.0, 17))),
        fixed("rsqrt_of_nonpositive", new double[] {0, -5}, new Fn.Rsqrt(), Math.scalb(1.0, F / 2)),
        fixed("rsqrt_of_huge", new double[] {Math.scalb(1.0, 17), 1e10}, new Fn.Rsqrt(), 1 / Math.sqrt(Math.scalb(1.0, 17))),
        fixed("exp_taylor_low", new double[] {-300, -1e9}, new Fn.Exp(ExpMode.TAYLOR), 0),
        fixed("exp_taylor_high", new double[] {9, 1e9}, new Fn.Exp(ExpMode.TAYLOR), Math.pow(1 + 8 / 256.0, 256)),
        fixed("exp_wide_low", new double[] {-13, -1e9}, new Fn.Exp(ExpMode.WIDE), 0),
        fixed("exp_wide_high", new double[] {22.5, 1e9}, new Fn.Exp(ExpMode.WIDE), Math.scalb(1.0, 32)),
        fixed("sigmoid_high", new double[] {1e9, 40}, new Fn.Sigmoid(SigmoidMode.REAL), 1),
        fixed("sigmoid_low", new double[] {-1e9, -40}, new Fn.Sigmoid(SigmoidMode.REAL), 0),
        new Case("div_by_zero", new double[] {5, -7}, new double[] {0, 0}, (x, s) -> x.div(s[0], s[1], false), (u, v) -> 0, 0, 2 * ULP));
    Map<String, double[]> got = run(cfg, cases, null);
    for (Case c : cases) check(cfg, c, got.get(c.name()));
  }

  /** A case whose documented result is {@code value} (within 2 ulps, or 1e-3 relative for the exp saturation). */
  static Case fixed(String name, double[] in, Fn fn, double value) {
    return new Case(name, in, null, (x, s) -> x.apply(fn, s[0]), (u, v) -> value, Math.abs(value) > 1e3 ? 2e-3 : 0, 2 * ULP);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void integerDivisorsReachCountsOfBillions(SessionConfig cfg) {
    FixedPoint fp = new FixedPoint(F);
    Random r = new Random(5);
    int n = 200;
    long[] b = new long[n];
    for (int i = 0; i < n; i++) b[i] = (r.nextBoolean() ? 1 : -1) * (long) Math.exp(r.nextDouble() * Math.log(1e11));
    b[0] = 1;
    b[1] = -1;
    b[2] = 6_001_215; // TPC-H SF1 lineitem rows
    b[3] = (1L << 37) - 1;
    // sums whose average stays within +-64 and below 2^26 (truncation failures stay negligible)
    double[] a = new double[n];
    for (int i = 0; i < n; i++) a[i] = (r.nextDouble() * 2 - 1) * Math.min(64.0 * Math.abs(b[i]), 6e7);
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Fxp fxp = new Fxp(p, fp);
      Shape shape = Shape.vector(n);
      Share x = p.input(0, s.self() == 0 ? fp.encode(a) : null, shape);
      Share y = p.input(0, s.self() == 0 ? RingTensor.wrap(b.clone(), shape) : null, shape);
      return List.of(fp.decode(p.reveal(fxp.div(x, y, true))), fp.decode(p.reveal(fxp.reciprocal(y, true))));
    });
    double[] q = res.output(0).get(0), inv = res.output(0).get(1);
    double[] ar = round(a);
    for (int i = 0; i < n; i++) {
      double want = ar[i] / b[i];
      assertTrue(Math.abs(q[i] - want) <= 1e-4 * Math.abs(want) + 4 * ULP, cfg.protocol() + " " + ar[i] + " / " + b[i] + ": " + q[i]);
      assertTrue(Math.abs(inv[i] - 1.0 / b[i]) <= 1e-4 / Math.abs(b[i]) + 2 * ULP, cfg.protocol() + " 1 / " + b[i] + ": " + inv[i]);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void declaredCostOfEveryFunctionEqualsTheMeasuredProfile(SessionConfig cfg) {
    Random r = new Random(3);
    int n = 77;
    double[] x = uniform(r, 0.5, 3, n), y = uniform(r, 0.5, 3, n);
    List<Fn> fns = List.of(new Fn.Reciprocal(false), new Fn.Reciprocal(true), new Fn.Div(false), new Fn.Div(true),
        new Fn.Exp(ExpMode.TAYLOR), new Fn.Exp(ExpMode.WIDE), new Fn.Log(), new Fn.Sqrt(), new Fn.Rsqrt(),
        new Fn.Sigmoid(SigmoidMode.MM1), new Fn.Sigmoid(SigmoidMode.SEG3), new Fn.Sigmoid(SigmoidMode.REAL), new Fn.Tanh());
    List<Case> cases = new ArrayList<>();
    for (Fn fn : fns) {
      cases.add(new Case(fn.label(), x, fn.arity() == 2 ? y : null, (f, s) -> f.apply(fn, s), (u, v) -> 0, 0, 0));
    }
    Profile[] measured = new Profile[cases.size()];
    run(cfg, cases, measured);
    FixedPoint fp = new FixedPoint(F);
    var declared = Simulator.run(cfg, s -> {
      List<Cost> out = new ArrayList<>();
      for (Fn fn : fns) out.add(FxpCost.of(s.protocol(), fp, fn, n));
      return out;
    }).output(0);
    for (int i = 0; i < fns.size(); i++) {
      Profile.Entry total = measured[i].total();
      assertEquals(declared.get(i).rounds(), total.rounds(), cfg.protocol() + " " + fns.get(i).label() + " rounds");
      assertEquals(declared.get(i).bytes(), total.bytesSent(), cfg.protocol() + " " + fns.get(i).label() + " bytes");
    }
  }

  /** Compares against the function of the encoded (rounded) inputs. */
  static Case roundInputs(Case c) {
    return new Case(c.name(), round(c.a()), c.b() == null ? null : round(c.b()), c.fn(), c.ref(), c.rtol(), c.atol());
  }

  static double[] round(double[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) r[i] = Math.rint(Math.scalb(v[i], F)) / Math.scalb(1.0, F);
    return r;
  }
}

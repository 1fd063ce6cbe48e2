package org.sparkspu.engine.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * Round merging and CISC vectorisation: independent communicating ops of a level share one kernel
 * call, the compiled rounds equal the critical path, and the declared cost printed by explain()
 * equals what the profile measures, in semi2k (2 parties) and aby3.
 */
class MergingTest {
  static Stream<SessionConfig> secretConfigs() {
    return Stream.of(SessionConfig.semi2k(2), SessionConfig.aby3());
  }

  static int declaredRounds(SessionConfig cfg, Kernel k) {
    return Simulator.run(cfg, s -> s.protocol().cost(k, 1).rounds()).output(0);
  }

  static void assertMeasuredEqualsExpected(Harness.Run r) {
    Profile.Entry total = r.profile().total();
    assertEquals(r.expected().rounds(), total.rounds(), "measured rounds vs explain():\n" + r.explain() + r.profile().table());
    assertEquals(r.expected().bytes(), total.bytesSent(), "measured bytes vs explain():\n" + r.explain() + r.profile().table());
    assertEquals(r.rounds(), r.expected().rounds());
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void twoIndependentSecretProductsCompileToOneMultiplicationExchange(SessionConfig cfg) {
    Tracer t = new Tracer();
    Shape s = Shape.scalar();
    Value a = t.secretInts("a", s), b = t.secretInts("b", s), c = t.secretInts("c", s), d = t.secretInts("d", s);
    t.output("ab", a.mul(b));
    t.output("cd", c.mul(d));
    var r = Harness.run(cfg, t.build(), Map.of("a", new double[] {3}, "b", new double[] {-7}, "c", new double[] {11}, "d",
        new double[] {13}));
    assertEquals(1, r.kernelCalls(), r.explain());
    assertEquals(1, r.rounds());
    assertEquals(1, r.profile().entry("mul").calls(), r.profile().table());
    assertEquals(1, r.profile().total().rounds());
    assertArrayEquals(new double[] {-21}, r.out("ab"));
    assertArrayEquals(new double[] {143}, r.out("cd"));
    assertMeasuredEqualsExpected(r);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void inputsFromDifferentOwnersShareOneExchange(SessionConfig cfg) {
    // a and c from party 0, b and d from party 1: all four are shared in one input call, so the
    // program's rounds equal its critical path (input, mul, reveal in aby3; semi2k inputs are free).
    Tracer t = new Tracer();
    Shape s = Shape.vector(2);
    Value a = t.privateInts(0, "a", s), b = t.privateInts(1, "b", s);
    Value c = t.privateInts(0, "c", s), d = t.privateInts(1, "d", s);
    t.output("ab", a.mul(b).reveal());
    t.output("cd", c.mul(d).reveal());
    var r = Harness.run(cfg, t.build(), Map.of("a", new double[] {3, -4}, "b", new double[] {-7, 5}, "c",
        new double[] {11, 0}, "d", new double[] {13, 9}));
    assertArrayEquals(new double[] {-21, -20}, r.out("ab"));
    assertArrayEquals(new double[] {143, 0}, r.out("cd"));
    assertEquals(r.criticalPath(), r.rounds(), r.explain());
    int inputRounds = declaredRounds(cfg, Kernel.INPUT);
    assertEquals(inputRounds + 2, r.rounds(), r.explain());
    if (inputRounds > 0) {
      assertTrue(r.explain().contains("input(0,1)"), r.explain());
      assertEquals(1, r.profile().entry("input").calls(), r.profile().table());
    }
    assertMeasuredEqualsExpected(r);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void fixedPointProductsShareOneMultiplicationAndOneTruncation(SessionConfig cfg) {
    Tracer t = new Tracer();
    Shape s = Shape.scalar();
    Value a = t.secretInput("a", s), b = t.secretInput("b", s), c = t.secretInput("c", s), d = t.secretInput("d", s);
    t.output("ab", a.mul(b));
    t.output("cd", c.mul(d));
    var r = Harness.run(cfg, t.build(), Map.of("a", new double[] {1.5}, "b", new double[] {-2.25}, "c", new double[] {0.5},
        "d", new double[] {8}));
    int truncRounds = declaredRounds(cfg, Kernel.TRUNC);
    assertEquals(truncRounds > 0 ? 2 : 1, r.kernelCalls(), r.explain());
    assertEquals(1 + truncRounds, r.rounds());
    assertEquals(1, r.profile().entry("mul").calls());
    assertEquals(-3.375, r.out("ab")[0], 1e-5);
    assertEquals(4, r.out("cd")[0], 1e-5);
    assertMeasuredEqualsExpected(r);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void aChainOfDependentProductsTakesOneRoundPerProduct(SessionConfig cfg) {
    int depth = 7;
    Tracer t = new Tracer();
    Value x = t.secretInts("x", Shape.vector(4));
    Value y = x;
    for (int i = 0; i < depth; i++) y = y.mul(x);
    t.output("y", y);
    var r = Harness.run(cfg, t.build(), Map.of("x", new double[] {1, -1, 2, 3}));
    assertEquals(depth, r.rounds());
    assertEquals(depth, r.criticalPath());
    assertEquals(depth, r.kernelCalls());
    assertArrayEquals(new double[] {1, 1, 256, 6561}, r.out("y"));
    assertMeasuredEqualsExpected(r);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void independentComparisonsTakeExactlyTheRoundsOfOne(SessionConfig cfg) {
    int k = 24;
    Tracer t = new Tracer();
    Random rnd = new Random(1);
    Map<String, double[]> vals = new HashMap<>();
    List<double[]> expect = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      Value a = t.secretInput("a" + i, Shape.vector(3)), b = t.secretInput("b" + i, Shape.vector(3));
      double[] av = {rnd.nextInt(9) - 4, rnd.nextInt(9) - 4, 1.5}, bv = {rnd.nextInt(9) - 4, rnd.nextInt(9) - 4, 1.5};
      vals.put("a" + i, av);
      vals.put("b" + i, bv);
      Value cmp = switch (i % 4) {
        case 0 -> a.less(b);
        case 1 -> a.greater(b);
        case 2 -> a.lessEqual(b);
        default -> a.greaterEqual(b);
      };
      t.output("c" + i, cmp);
      double[] e = new double[3];
      for (int j = 0; j < 3; j++) {
        boolean v = switch (i % 4) {
          case 0 -> av[j] < bv[j];
          case 1 -> av[j] > bv[j];
          case 2 -> av[j] <= bv[j];
          default -> av[j] >= bv[j];
        };
        e[j] = v ? 1 : 0;
      }
      expect.add(e);
    }
    var r = Harness.run(cfg, t.build(), vals);
    int one = declaredRounds(cfg, Kernel.LESS);
    assertEquals(1, r.kernelCalls(), r.explain());
    assertEquals(one, r.rounds());
    assertEquals(one, r.profile().total().rounds());
    assertEquals(1, r.profile().entry("less").calls());
    for (int i = 0; i < k; i++) assertArrayEquals(expect.get(i), r.out("c" + i), "comparison " + i);
    assertMeasuredEqualsExpected(r);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void independentComplexFunctionsExpandOnceOverTheConcatenatedVector(SessionConfig cfg) {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", Shape.vector(5)), y = t.secretInput("y", Shape.of(2, 3));
    t.output("sx", x.sigmoid());
    t.output("sy", y.sigmoid());
    t.output("ex", x.exp());
    t.output("ey", y.exp());
    var r = Harness.run(cfg, t.build(), Map.of("x", new double[] {-2, -1, 0, 1, 2}, "y", new double[] {0.5, 1.5, -3, 4, 0.25, -0.5}));
    // four function nodes, two expansions: each function once over the concatenated 11 elements;
    // the two kinds cannot share a call, so they run back to back (critical path: the longer one)
    assertEquals(4, r.communicatingOps());
    assertEquals(2, r.kernelCalls(), r.explain());
    assertEquals(sigmoidRounds(cfg) + expRounds(cfg), r.rounds(), r.explain());
    assertEquals(Math.max(sigmoidRounds(cfg), expRounds(cfg)), r.criticalPath());
    assertEquals(1 / (1 + Math.exp(2)), r.out("sx")[0], 2e-4);
    assertEquals(Math.exp(0.25), r.out("ey")[4], 0.01 * Math.exp(0.25));
    assertMeasuredEqualsExpected(r);
  }

  static int sigmoidRounds(SessionConfig cfg) {
    return Simulator.run(cfg, s -> org.sparkspu.engine.hal.FxpCost.of(s.protocol(), s.fixedPoint(),
        new org.sparkspu.engine.hal.Fn.Sigmoid(org.sparkspu.engine.hal.SigmoidMode.REAL), 1).rounds()).output(0);
  }

  static int expRounds(SessionConfig cfg) {
    return Simulator.run(cfg, s -> org.sparkspu.engine.hal.FxpCost.of(s.protocol(), s.fixedPoint(),
        new org.sparkspu.engine.hal.Fn.Exp(org.sparkspu.engine.hal.ExpMode.TAYLOR), 1).rounds()).output(0);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void independentMatrixProductsShareOneExchange(SessionConfig cfg) {
    Tracer t = new Tracer();
    Value a = t.secretInts("a", Shape.of(2, 3)), b = t.secretInts("b", Shape.of(3, 4));
    Value c = t.secretInts("c", Shape.of(5, 2)), d = t.secretInts("d", Shape.of(2, 1));
    t.output("ab", a.matmul(b));
    t.output("cd", c.matmul(d));
    double[] av = {1, 2, 3, -1, 0, 2}, bv = {1, 0, 2, -3, 4, 1, 0, 2, -1, 5, 1, 1}, cv = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, dv = {-2, 3};
    var r = Harness.run(cfg, t.build(), Map.of("a", av, "b", bv, "c", cv, "d", dv));
    assertEquals(1, r.kernelCalls(), r.explain());
    assertEquals(1, r.profile().entry("matmul").calls());
    assertArrayEquals(new double[] {6, 17, 5, 4, -3, 10, 0, 5}, r.out("ab"));
    assertArrayEquals(new double[] {4, 6, 8, 10, 12}, r.out("cd"));
    assertMeasuredEqualsExpected(r);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void declaredCostOfAProgramMixingEveryKernelKindEqualsTheProfile(SessionConfig cfg) {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", Shape.vector(6)), y = t.secretInput("y", Shape.vector(6));
    Value m1 = t.secretInput("m1", Shape.of(2, 3)), m2 = t.secretInput("m2", Shape.of(3, 2));
    Value z = x.mul(y).add(x.less(y).select(x, y)).sub(x.equal(y).mul(2L));
    t.output("z", z.sigmoid().div(y.abs().add(1.0)).reveal());
    t.output("w", m1.matmul(m2).exp(org.sparkspu.engine.hal.ExpMode.WIDE).log().reveal());
    t.output("v", m2.matmul(m1).reduceMax(1).clamp(-1, 1));
    double[] xs = {0.5, -1, 2, 0.25, 1, -0.5}, ys = {1, -1, 0.5, 2, 1, 3};
    double[] a = {0.1, 0.2, -0.3, 0.4, 0.5, 0.6}, b = {1, -1, 0.5, 0.25, 2, 0};
    var r = Harness.run(cfg, t.build(), Map.of("x", xs, "y", ys, "m1", a, "m2", b));
    assertMeasuredEqualsExpected(r);
    for (int i = 0; i < 6; i++) {
      double zz = xs[i] * ys[i] + Math.min(xs[i], ys[i]) - (xs[i] == ys[i] ? 2 : 0);
      assertEquals(1 / (1 + Math.exp(-zz)) / (Math.abs(ys[i]) + 1), r.out("z")[i], 5e-4);
    }
    assertEquals(0.1 * 1 + 0.2 * 0.5 - 0.3 * 2, r.out("w")[0], 1e-3);
  }

  /**
   * Random DAGs over secret integers with products as the only communicating op, plus local ops
   * with public constants and values: the compiled rounds equal the critical path, the outputs
   * equal plaintext, and the profile equals the declared cost.
   */
  @ParameterizedTest
  @MethodSource("secretConfigs")
  void randomDagsCompileToTheirCriticalPath(SessionConfig cfg) {
    for (int trial = 0; trial < 6; trial++) {
      Random rnd = new Random(100 + trial);
      Tracer t = new Tracer();
      int n = 3;
      List<Value> vals = new ArrayList<>();
      List<long[]> plain = new ArrayList<>();
      Map<String, double[]> inputs = new HashMap<>();
      for (int i = 0; i < 4; i++) {
        long[] v = new long[n];
        double[] dv = new double[n];
        for (int j = 0; j < n; j++) dv[j] = v[j] = rnd.nextInt(5) - 2;
        inputs.put("x" + i, dv);
        vals.add(t.secretInts("x" + i, Shape.vector(n)));
        plain.add(v);
      }
      int ops = 12 + rnd.nextInt(20);
      for (int i = 0; i < ops; i++) {
        int a = rnd.nextInt(vals.size()), b = rnd.nextInt(vals.size());
        long[] pa = plain.get(a), pb = plain.get(b), pr = new long[n];
        Value v;
        switch (rnd.nextInt(6)) {
          case 0, 1 -> {
            v = vals.get(a).mul(vals.get(b));
            for (int j = 0; j < n; j++) pr[j] = pa[j] * pb[j];
          }
          case 2 -> {
            v = vals.get(a).add(vals.get(b));
            for (int j = 0; j < n; j++) pr[j] = pa[j] + pb[j];
          }
          case 3 -> {
            v = vals.get(a).sub(vals.get(b));
            for (int j = 0; j < n; j++) pr[j] = pa[j] - pb[j];
          }
          case 4 -> {
            long c = rnd.nextInt(7) - 3;
            v = vals.get(a).mul(c);
            for (int j = 0; j < n; j++) pr[j] = pa[j] * c;
          }
          default -> {
            long c = rnd.nextInt(7) - 3;
            v = vals.get(a).add(c).neg();
            for (int j = 0; j < n; j++) pr[j] = -(pa[j] + c);
          }
        }
        vals.add(v);
        plain.add(pr);
      }
      int outs = 1 + rnd.nextInt(3);
      for (int o = 0; o < outs; o++) t.output("o" + o, vals.get(vals.size() - 1 - o * 3));
      Program prog = t.build();
      var r = Harness.run(cfg, prog, inputs);
      assertEquals(r.criticalPath(), r.rounds(), "trial " + trial + "\n" + prog.listing() + r.explain());
      assertMeasuredEqualsExpected(r);
      for (int o = 0; o < outs; o++) {
        long[] want = plain.get(plain.size() - 1 - o * 3);
        double[] got = r.out("o" + o);
        for (int j = 0; j < n; j++) assertEquals((double) want[j], got[j], "trial " + trial + " output " + o);
      }
      assertTrue(r.kernelCalls() <= r.communicatingOps());
    }
  }
}

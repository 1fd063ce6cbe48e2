package org.sparkspu.engine.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.hal.ExpMode;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.SessionConfig;

/**
 * Every IR op, compiled and run on secret (and mixed-visibility) inputs, against the same
 * computation in double arithmetic, in ref2k, semi2k (2 parties) and aby3, on random values with
 * edges (zero, equal pairs, negative, bounds), within a stated tolerance per op.
 */
class OpsTest {
  static final double ULP = Math.scalb(1.0, -18);

  static Stream<SessionConfig> configs() {
    return Stream.of(SessionConfig.of("ref2k", 3), SessionConfig.semi2k(2), SessionConfig.aby3());
  }

  private record Check(String name, double[] want, double rtol, double atol) {}

  private final List<Check> checks = new ArrayList<>();
  private Tracer t;

  private void out(String name, Value v, double[] want, double rtol, double atol) {
    t.output(name, v);
    checks.add(new Check(name, want, rtol, atol));
  }

  private static double[] map(double[] x, DoubleUnaryOperator f) {
    double[] r = new double[x.length];
    for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(x[i]);
    return r;
  }

  private static double[] zip(double[] x, double[] y, DoubleBinaryOperator f) {
    double[] r = new double[x.length];
    for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(x[i], y[i]);
    return r;
  }

  private static double b(boolean v) {
    return v ? 1 : 0;
  }

  private static double q(double v) {
    return Math.rint(Math.scalb(v, 18)) / Math.scalb(1.0, 18);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyOpMatchesPlaintext(SessionConfig cfg) {
    Random r = new Random(42);
    int n = 40;
    double[] x = new double[n], y = new double[n], x2 = new double[n], k = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = q(r.nextDouble() * 6 - 3);
      y[i] = q(0.5 + r.nextDouble() * 3.5);
      x2[i] = i % 3 == 0 ? x[i] : q(r.nextDouble() * 6 - 3);
      k[i] = r.nextInt(201) - 100;
    }
    x[0] = 0;
    x[1] = q(-1e-3);
    x[2] = 1.5; // == clamp bound
    y[3] = x[3] = q(1.25); // equal pair
    double[] a = new double[12], bm = new double[8];
    for (int i = 0; i < 12; i++) a[i] = q(r.nextDouble() * 4 - 2);
    for (int i = 0; i < 8; i++) bm[i] = q(r.nextDouble() * 4 - 2);
    t = new Tracer();
    Shape v = Shape.vector(n);
    Value X = t.secretInput("x", v), Y = t.secretInput("y", v), X2 = t.secretInput("x2", v), K = t.secretInts("k", v);
    Value A = t.secretInput("a", Shape.of(3, 4)), B = t.secretInput("b", Shape.of(4, 2));
    Value P = t.privateInput(0, "p", v);
    Value W = t.publicInput("w", v);
    double[] p = map(x, u -> q(u * 0.5 + 0.25)), w = map(y, u -> q(u - 1));

    double e = 2 * ULP;
    out("add", X.add(Y), zip(x, y, Double::sum), 0, 0);
    out("sub", X.sub(Y), zip(x, y, (u, z) -> u - z), 0, 0);
    out("neg", X.neg(), map(x, u -> -u), 0, 0);
    out("mul", X.mul(Y), zip(x, y, (u, z) -> u * z), 0, e);
    out("mul_int", K.mul(K), zip(k, k, (u, z) -> u * z), 0, 0);
    out("mul_wide", X.mulWide(Y), zip(x, y, (u, z) -> u * z), 0, e);
    out("mul_wide_square", X.mulWide(X), zip(x, x, (u, z) -> u * z), 0, e);
    out("mul_wide_public", X.mulWide(W), zip(x, w, (u, z) -> u * z), 0, e);
    out("mul_wide_private", P.mulWide(X), zip(p, x, (u, z) -> u * z), 0, e);
    out("mul_wide_int", K.mulWide(X), zip(k, x, (u, z) -> u * z), 0, 0);
    out("mul_int_fxp", K.mul(X), zip(k, x, (u, z) -> u * z), 0, 0);
    out("add_int_fxp", K.add(X), zip(k, x, Double::sum), 0, 0);
    out("mul_private", P.mul(X), zip(p, x, (u, z) -> u * z), 0, e);
    out("add_public", X.add(W), zip(x, w, Double::sum), 0, 0);
    out("mul_public", X.mul(W), zip(x, w, (u, z) -> u * z), 0, e);
    out("constant", X.add(t.constant(0.75)), map(x, u -> u + 0.75), 0, 0);
    out("broadcast", X.mul(X.slice(0, 5, 6).reshape()), map(x, u -> u * x[5]), 0, e);

    double[] ab = new double[6];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) for (int l = 0; l < 4; l++) ab[i * 2 + j] += a[i * 4 + l] * bm[l * 2 + j];
    out("matmul", A.matmul(B), ab, 0, 4 * ULP);
    double dxy = 0;
    for (int i = 0; i < n; i++) dxy += x[i] * y[i];
    out("dot", X.dot(Y), new double[] {dxy}, 0, 4 * ULP);
    double[] av = new double[3];
    for (int i = 0; i < 3; i++) for (int l = 0; l < 4; l++) av[i] += a[i * 4 + l] * bm[l * 2];
    out("dot_matrix_vector", A.dot(B.slice(1, 0, 1).reshape(4)), av, 0, 4 * ULP);
    double[] at = new double[12];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) at[j * 3 + i] = a[i * 4 + j];
    out("transpose", A.transpose(), at, 0, 0);
    out("reshape", A.reshape(2, 6), a, 0, 0);
    out("slice", A.slice(1, 1, 3), new double[] {a[1], a[2], a[5], a[6], a[9], a[10]}, 0, 0);
    double[] cat = new double[2 * n];
    System.arraycopy(x, 0, cat, 0, n);
    System.arraycopy(y, 0, cat, n, n);
    out("concat", X.concat(0, Y), cat, 0, 0);
    double[] rowSum = new double[3], colMax = new double[4], colMin = new double[4];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) rowSum[i] += a[i * 4 + j];
    for (int j = 0; j < 4; j++) {
      colMax[j] = Math.max(a[j], Math.max(a[4 + j], a[8 + j]));
      colMin[j] = Math.min(a[j], Math.min(a[4 + j], a[8 + j]));
    }
    out("reduce_sum", A.sum(1), rowSum, 0, 0);
    out("reduce_max", A.reduceMax(0), colMax, 0, 0);
    out("reduce_min", A.reduceMin(0), colMin, 0, 0);
    double xmax = Double.NEGATIVE_INFINITY;
    for (double u : x) xmax = Math.max(xmax, u);
    out("reduce_max_all", X.reduceMax(0), new double[] {xmax}, 0, 0);

    out("less", X.less(Y), zip(x, y, (u, z) -> b(u < z)), 0, 0);
    out("greater", X.greater(X2), zip(x, x2, (u, z) -> b(u > z)), 0, 0);
    out("less_equal", X.lessEqual(X2), zip(x, x2, (u, z) -> b(u <= z)), 0, 0);
    out("greater_equal", X.greaterEqual(Y), zip(x, y, (u, z) -> b(u >= z)), 0, 0);
    out("equal", X.equal(X2), zip(x, x2, (u, z) -> b(u == z)), 0, 0);
    out("not_equal", X.notEqual(X2), zip(x, x2, (u, z) -> b(u != z)), 0, 0);
    out("less_public", X.less(0.5), map(x, u -> b(u < 0.5)), 0, 0);
    double[] allNeg = new double[n], allNegPublic = new double[n];
    for (int i = 0; i < n; i++) {
      allNeg[i] = b(x[i] - y[i] < 0 && k[i] < 0 && w[i] - 1 < 0 && p[i] < 0);
      allNegPublic[i] = b(w[i] < 0);
    }
    out("all_negative", X.sub(Y).allNegative(K, W.sub(t.constant(1.0)), P), allNeg, 0, 0);
    out("all_negative_public", W.allNegative(W.add(W)), allNegPublic, 0, 0);
    out("select", X.less(Y).select(X, Y), zip(x, y, Math::min), 0, 0);
    out("abs", X.abs(), map(x, Math::abs), 0, 0);
    out("abs_int", K.abs(), map(k, Math::abs), 0, 0);
    out("max", X.max(Y), zip(x, y, Math::max), 0, 0);
    out("min", X.min(X2), zip(x, x2, Math::min), 0, 0);
    out("clamp", X.clamp(-1, 1.5), map(x, u -> Math.max(-1, Math.min(1.5, u))), 0, 0);
    out("clamp_secret_bounds", X.clamp(X2.neg().abs().neg(), Y), zip(x, y, (u, z) -> u), Double.NaN, 0);

    out("exp_taylor", X.sub(1.0).exp(), map(x, u -> Math.exp(u - 1)), 0.01, 0.001); // SPU range: x <= 2.1
    out("exp_wide", X.exp(ExpMode.WIDE), map(x, Math::exp), 1e-4, e);
    out("log", Y.log(), map(y, Math::log), 1e-4, 3 * ULP);
    out("reciprocal", X.sub(3.5).reciprocal(), map(x, u -> 1 / (u - 3.5)), 1e-4, e);
    out("reciprocal_int", K.add(101L).reciprocal(), map(k, u -> 1 / (u + 101)), 1e-4, e);
    out("div", X.div(Y), zip(x, y, (u, z) -> u / z), 1e-4, 4 * ULP);
    out("div_int", X.div(K.add(101L)), zip(x, k, (u, z) -> u / (z + 101)), 1e-4, 4 * ULP);
    out("sqrt", Y.sqrt(), map(y, Math::sqrt), 1e-4, e);
    out("rsqrt", Y.rsqrt(), map(y, u -> 1 / Math.sqrt(u)), 1e-4, e);
    out("sigmoid_real", X.sigmoid(), map(x, u -> 1 / (1 + Math.exp(-u))), 0, 2e-4);
    out("sigmoid_mm1", X.sigmoid(SigmoidMode.MM1), map(x, u -> 0.5 + u / 8), 0, e);
    out("sigmoid_seg3", X.mul(3L).sigmoid(SigmoidMode.SEG3), map(x, u -> Math.max(0, Math.min(1, 0.5 + 3 * u / 8))), 0, e);
    out("tanh", X.tanh(), map(x, Math::tanh), 0, 4e-4);
    out("reveal", X.add(Y).reveal(), zip(x, y, Double::sum), 0, 0);
    out("reveal_private", P.add(1.0).reveal(), map(p, u -> u + 1), 0, 0);

    Map<String, double[]> in = new HashMap<>();
    in.put("x", x);
    in.put("y", y);
    in.put("x2", x2);
    in.put("k", k);
    in.put("a", a);
    in.put("b", bm);
    in.put("p", p);
    in.put("w", w);
    var res = Harness.run(cfg, t.build(), in);
    for (Check c : checks) {
      double[] got = res.out(c.name());
      if (c.name().equals("clamp_secret_bounds")) {
        for (int i = 0; i < n; i++) {
          double lo = -Math.abs(x2[i]);
          assertEquals(Math.max(lo, Math.min(y[i], x[i])), got[i], 0.0, cfg.protocol() + " clamp_secret_bounds at " + i);
        }
        continue;
      }
      assertEquals(c.want().length, got.length, c.name());
      for (int i = 0; i < got.length; i++) {
        double tol = c.atol() + c.rtol() * Math.abs(c.want()[i]);
        assertEquals(c.want()[i], got[i], tol, cfg.protocol() + " " + c.name() + " at " + i);
      }
    }
    // revealTo: only the receiver holds the value
    Tracer t2 = new Tracer();
    t2.output("to1", t2.secretInput("x", v).mul(2L).revealTo(1));
    var res2 = Harness.run(cfg, t2.build(), Map.of("x", x));
    for (int party = 0; party < cfg.parties(); party++) {
      assertEquals(party == 1, res2.outputs().get(party).holds("to1"));
    }
    double[] got = res2.outputs().get(1).doubles("to1");
    for (int i = 0; i < n; i++) assertEquals(2 * x[i], got[i], 0.0);
  }

  /**
   * Large fixed-point operands: a plain product truncates x y 2^36, which probabilistic truncation
   * gets far wrong with probability about |x y| 2^36 / 2^63 (here up to 1 in 8 per element, so the
   * plain products below are wrong somewhere in every secret protocol), while mulWide truncates
   * only values below 2^38 and stays within 2 units of the exact product.
   */
  @ParameterizedTest
  @MethodSource("configs")
  void wideProductsOfLargeOperandsStayExact(SessionConfig cfg) {
    Random r = new Random(7);
    int n = 4000;
    double[] x = new double[n], y = new double[n], big = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = q((r.nextDouble() * 2 - 1) * 4096);
      y[i] = q((r.nextDouble() * 2 - 1) * 4096);
      big[i] = q((r.nextDouble() * 2 - 1) * (1 << 20)); // squares up to 2^40 (encodings up to 2^58)
    }
    x[0] = 0;
    x[1] = -4096;
    y[1] = q(4095.999);
    big[2] = q(-1e-5);
    t = new Tracer();
    Shape v = Shape.vector(n);
    Value X = t.secretInput("x", v), Y = t.secretInput("y", v), B = t.secretInput("big", v);
    t.output("wide", X.mulWide(Y));
    t.output("square", B.mulWide(B));
    t.output("public", B.mulWide(t.constant(1234.5678)));
    t.output("plain", X.mul(Y));
    var res = Harness.run(cfg, t.build(), Map.of("x", x, "y", y, "big", big));
    double[] wide = res.out("wide"), square = res.out("square"), pub = res.out("public"), plain = res.out("plain");
    int plainWrong = 0;
    for (int i = 0; i < n; i++) {
      assertEquals(x[i] * y[i], wide[i], 2 * ULP, cfg.protocol() + " mul_wide at " + i);
      assertEquals(big[i] * big[i], square[i], 2 * ULP + 1e-15 * big[i] * big[i], cfg.protocol() + " square at " + i);
      assertEquals(big[i] * q(1234.5678), pub[i], 2 * ULP + 1e-15 * Math.abs(big[i]) * 1234.5678, cfg.protocol() + " public at " + i);
      if (Math.abs(plain[i] - x[i] * y[i]) > 1) plainWrong++;
    }
    // rounds: split (one trunc call for both operands), products (one mul call), trunc; 2-party semi2k truncates locally
    Tracer tw = new Tracer();
    tw.output("p", tw.secretInput("x", v).mulWide(tw.secretInput("y", v)));
    var rw = Harness.run(cfg, tw.build(), Map.of("x", x, "y", y));
    assertEquals(switch (cfg.protocol()) { case "aby3" -> 3; case "semi2k" -> 1; default -> 0; }, rw.rounds(), cfg.protocol() + " rounds");
    assertEquals(rw.rounds(), rw.kernelCalls(), cfg.protocol() + ": one merged call per round: " + rw.explain());
    if (!cfg.protocol().equals("ref2k")) {
      org.junit.jupiter.api.Assertions.assertTrue(plainWrong > 0, cfg.protocol() + ": the plain products were all right, so the"
          + " inputs do not exercise what mulWide is for");
    }
  }
}

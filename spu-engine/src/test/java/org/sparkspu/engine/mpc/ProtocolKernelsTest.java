package org.sparkspu.engine.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.mpc.ProtocolContext.DealerMode;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/** Every kernel of every protocol against the same computation in plaintext, on random and edge inputs. */
class ProtocolKernelsTest {
  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of(SessionConfig.of("ref2k", 3)),
        Arguments.of(SessionConfig.semi2k(2)),
        Arguments.of(SessionConfig.semi2k(3)),
        Arguments.of(SessionConfig.semi2k(2).withDealer(DealerMode.THIRD_PARTY)),
        Arguments.of(SessionConfig.semi2k(4).withDealer(DealerMode.THIRD_PARTY)),
        Arguments.of(SessionConfig.aby3()));
  }

  /** Values in the encodable range |v| < 2^62 mixed with edges. */
  static long[] values(long seed, int n) {
    Random r = new Random(seed);
    long[] edges = {0, 1, -1, (1L << 62) - 1, -(1L << 62) + 1, 2, -2, 1L << 40, -(1L << 40)};
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = i < edges.length ? edges[i] : (r.nextLong() >> 2);
    }
    return v;
  }

  static RingTensor vec(long[] v) {
    return RingTensor.wrap(v, Shape.vector(v.length));
  }

  /** Runs op on shares of x (from party 0) and y (from the last party), revealing the result. */
  static long[] run(SessionConfig cfg, long[] x, long[] y, BiFunction<Protocol, Share[], Share> op) {
    Shape shape = Shape.vector(x.length);
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Share a = p.input(0, s.self() == 0 ? vec(x) : null, shape);
      int last = s.parties() - 1;
      Share b = p.input(last, s.self() == last ? vec(y) : null, shape);
      Share out = op.apply(p, new Share[] {a, b});
      return p.reveal(out).data();
    });
    for (int i = 1; i < res.outputs().size(); i++) assertArrayEquals(res.output(0), res.output(i), "parties disagree");
    return res.output(0);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void arithmeticMatchesPlaintext(SessionConfig cfg) {
    int n = 1000;
    long[] x = values(1, n), y = values(2, n);
    long[] sum = run(cfg, x, y, (p, s) -> p.add(s[0], s[1]));
    long[] prod = run(cfg, x, y, (p, s) -> p.mul(s[0], s[1]));
    long[] pub = run(cfg, x, y, (p, s) -> p.addPublic(p.mulPublic(s[0], RingTensor.fill(s[0].shape(), 7)), RingTensor.fill(s[0].shape(), -3)));
    for (int i = 0; i < n; i++) {
      assertEquals(x[i] + y[i], sum[i]);
      assertEquals(x[i] * y[i], prod[i]);
      assertEquals(x[i] * 7 - 3, pub[i]);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void comparisonsMatchPlaintext(SessionConfig cfg) {
    int n = 500;
    long[] x = values(3, n), y = values(4, n);
    for (int i = 0; i < 50; i++) y[n - 1 - i] = x[n - 1 - i]; // equal pairs
    long[] lt = run(cfg, x, y, (p, s) -> p.lessThan(s[0], s[1]));
    long[] eq = run(cfg, x, y, (p, s) -> p.equal(s[0], s[1]));
    long[] msb = run(cfg, x, y, (p, s) -> p.msb(s[0]));
    long[] sel = run(cfg, x, y, (p, s) -> p.select(p.lessThan(s[0], s[1]), s[0], s[1]));
    for (int i = 0; i < n; i++) {
      assertEquals(x[i] < y[i] ? 1 : 0, lt[i], "lt at " + i);
      assertEquals(x[i] == y[i] ? 1 : 0, eq[i], "eq at " + i);
      assertEquals(x[i] < 0 ? 1 : 0, msb[i], "msb at " + i);
      assertEquals(Math.min(x[i], y[i]), sel[i], "select at " + i);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void allNegativeIsTheConjunctionOfSigns(SessionConfig cfg) {
    int n = 300; // not a multiple of 64: the padding must not leak into the result
    long[] x = values(7, n), y = values(8, n);
    Random r = new Random(9);
    long[] z = new long[n];
    for (int i = 0; i < n; i++) z[i] = i % 3 == 0 ? -1 - r.nextInt(5) : r.nextLong() >> 2; // many rows where all three hold
    for (int i = 0; i < 40; i++) {
      x[i] = -(i + 1);
      y[i] = i % 2 == 0 ? Long.MIN_VALUE : -(1L << 62) + 1;
    }
    long[] one = run(cfg, x, y, (p, s) -> p.allNegative(List.of(s[0])));
    long[] two = run(cfg, x, y, (p, s) -> p.allNegative(List.of(s[0], s[1])));
    long[] three = run(cfg, x, y, (p, s) -> p.allNegative(List.of(s[0], s[1], p.addPublic(p.mulPublic(s[0], RingTensor.fill(s[0].shape(), 0)),
        RingTensor.wrap(z, s[0].shape())))));
    long[] matrix = run(cfg, x, y, (p, s) -> p.allNegative(List.of(s[0].reshape(Shape.of(n / 3, 3)), s[1].reshape(Shape.of(n / 3, 3)))));
    for (int i = 0; i < n; i++) {
      assertEquals(x[i] < 0 ? 1 : 0, one[i], "one operand at " + i);
      assertEquals(x[i] < 0 && y[i] < 0 ? 1 : 0, two[i], "two operands at " + i);
      assertEquals(x[i] < 0 && y[i] < 0 && z[i] < 0 ? 1 : 0, three[i], "three operands at " + i);
      assertEquals(two[i], matrix[i], "matrix shape at " + i);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void booleanConversionsRoundTrip(SessionConfig cfg) {
    int n = 300;
    long[] x = values(5, n), y = values(6, n);
    long[] a2bAnd = run(cfg, x, y, (p, s) -> p.b2a(p.andB(p.a2b(s[0]), p.a2b(s[1]))));
    long[] a2bXor = run(cfg, x, y, (p, s) -> p.b2a(p.xorB(p.a2b(s[0]), p.a2b(s[1]))));
    for (int i = 0; i < n; i++) {
      assertEquals(x[i] & y[i], a2bAnd[i]);
      assertEquals(x[i] ^ y[i], a2bXor[i]);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void truncationIsWithinOneOfPlaintext(SessionConfig cfg) {
    int n = 1000;
    Random r = new Random(7);
    long[] x = new long[n];
    for (int i = 0; i < n; i++) x[i] = (r.nextLong() >> 20) ; // |x| < 2^43, as after a fixed-point product
    x[0] = 0;
    x[1] = -1;
    x[2] = 1;
    long[] t = run(cfg, x, x, (p, s) -> p.trunc(s[0], 18));
    for (int i = 0; i < n; i++) {
      long want = x[i] >> 18;
      assertTrue(Math.abs(t[i] - want) <= 1, "trunc at " + i + ": got " + t[i] + " want " + want);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void matmulMatchesPlaintext(SessionConfig cfg) {
    int m = 7, k = 5, nn = 3;
    long[] a = values(8, m * k), b = values(9, k * nn);
    RingTensor ta = RingTensor.wrap(a, Shape.of(m, k)), tb = RingTensor.wrap(b, Shape.of(k, nn));
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Share x = p.input(0, s.self() == 0 ? ta : null, ta.shape());
      Share y = p.input(1 % s.parties(), s.self() == 1 % s.parties() ? tb : null, tb.shape());
      return List.of(p.reveal(p.matmul(x, y)), p.reveal(p.matmulPublic(x, tb)), p.reveal(p.publicMatmul(ta, y)));
    });
    RingTensor want = ta.matmul(tb);
    for (RingTensor got : res.output(0)) assertEquals(want, got);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void inputsFromSeveralOwnersInOneCallEqualTheirValues(SessionConfig cfg) {
    int k = cfg.parties();
    int[] owners = new int[k + 1];
    Shape[] shapes = new Shape[k + 1];
    RingTensor[] all = new RingTensor[k + 1];
    for (int i = 0; i <= k; i++) {
      owners[i] = i % k; // party 0 owns two of the inputs
      shapes[i] = Shape.vector(i + 1);
      all[i] = vec(values(20 + i, i + 1));
    }
    var res = Simulator.run(cfg, s -> {
      RingTensor[] mine = new RingTensor[k + 1];
      for (int i = 0; i <= k; i++) mine[i] = owners[i] == s.self() ? all[i] : null;
      List<Share> shared = s.protocol().inputs(owners, mine, shapes);
      List<RingTensor> out = new java.util.ArrayList<>();
      for (Share sh : shared) out.add(s.protocol().reveal(sh));
      return out;
    });
    for (int i = 0; i <= k; i++) assertEquals(all[i], res.output(0).get(i));
    assertEquals(1, res.profile().entry("input").calls());
    assertEquals(cfg.protocol().equals("semi2k") ? 0 : 1, res.profile().entry("input").rounds(), "one exchange for all owners");
  }

  @ParameterizedTest
  @MethodSource("configs")
  void revealToOneLeavesOthersWithNothing(SessionConfig cfg) {
    long[] x = values(10, 20);
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Share a = p.input(0, s.self() == 0 ? vec(x) : null, Shape.vector(x.length));
      RingTensor r = p.revealTo(a, s.parties() - 1);
      return r == null ? null : r.data();
    });
    for (int i = 0; i < cfg.parties() - 1; i++) assertNull(res.output(i));
    assertArrayEquals(x, res.output(cfg.parties() - 1));
  }
}

package org.sparkspu.engine.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/** Eager mode: the same ops one at a time, each its own tiny program with its own rounds. */
class EagerTest {
  static Stream<SessionConfig> configs() {
    return Stream.of(SessionConfig.of("ref2k", 3), SessionConfig.semi2k(2), SessionConfig.aby3());
  }

  static final Shape V = Shape.vector(3);

  @ParameterizedTest
  @MethodSource("configs")
  void eagerOpsMatchPlaintextAndKeepVisibility(SessionConfig cfg) {
    var res = Simulator.run(cfg, s -> {
      Eager e = new Eager(s.protocol(), s.fixedPoint());
      Eager.Tensor x = e.privateInput(0, s.self() == 0 ? new double[] {0.5, -2, 3} : null, V);
      Eager.Tensor y = e.privateInput(1, s.self() == 1 ? new double[] {4, 0.25, -1} : null, V);
      Eager.Tensor local = x.mul(x).add(1.0);
      if (!local.visibility().equals(Visibility.of(0))) throw new AssertionError("x*x+1 should stay private to party 0");
      Eager.Tensor z = x.mul(y).add(local).sigmoid();
      Eager.Tensor m = x.max(y).reveal();
      Eager.Tensor lt = x.less(y).select(x, y).reveal();
      List<double[]> out = new ArrayList<>();
      out.add(z.reveal().doubles());
      out.add(m.doubles());
      out.add(lt.doubles());
      out.add(x.div(y.abs().add(1.0)).exp().reveal().doubles());
      out.add(x.mul(1000.0).mulWide(y.mul(2000.0)).reveal().doubles());
      return out;
    });
    double[] x = {0.5, -2, 3}, y = {4, 0.25, -1};
    for (int i = 0; i < 3; i++) {
      double zz = x[i] * y[i] + x[i] * x[i] + 1;
      assertEquals(1 / (1 + Math.exp(-zz)), res.output(0).get(0)[i], 2e-4);
      assertEquals(Math.max(x[i], y[i]), res.output(0).get(1)[i], 0.0);
      assertEquals(Math.min(x[i], y[i]), res.output(0).get(2)[i], 0.0);
      assertEquals(Math.exp(x[i] / (Math.abs(y[i]) + 1)), res.output(0).get(3)[i], 0.01 * Math.exp(x[i] / (Math.abs(y[i]) + 1)));
      assertEquals(x[i] * 1000 * y[i] * 2000, res.output(0).get(4)[i], 2 * Math.scalb(1.0, -18));
    }
    for (int p = 1; p < cfg.parties(); p++) assertArrayEquals(res.output(0).get(1), res.output(p).get(1));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void eagerPaysOneExchangePerOpWhereCompiledPaysOne(SessionConfig cfg) {
    int k = 12;
    var res = Simulator.run(cfg, s -> {
      Eager e = new Eager(s.protocol(), s.fixedPoint());
      Eager.Tensor x = e.secret(s.protocol().input(0, s.self() == 0 ? org.sparkspu.engine.ring.RingTensor.scalar(3)
          : null, Shape.scalar()), org.sparkspu.engine.ir.DType.INT);
      s.profile().clear();
      List<Eager.Tensor> prods = new ArrayList<>();
      for (int i = 0; i < k; i++) prods.add(x.mul(x));
      return new long[] {s.profile().entry("mul") == null ? 0 : s.profile().entry("mul").calls(), e.compiledPrograms(),
          (long) prods.get(k - 1).reveal().doubles()[0]};
    });
    // ref2k's products are plaintext and not profiled as kernels
    assertEquals(cfg.protocol().equals("ref2k") ? 0 : k, res.output(0)[0], "one mul call per eager op");
    assertEquals(1, res.output(0)[1], "the tiny program is compiled once and reused");
    assertEquals(9, res.output(0)[2]);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void readingASecretEagerTensorIsAnError(SessionConfig cfg) {
    var e = assertThrows(IllegalStateException.class, () -> Simulator.run(cfg, s -> {
      Eager eg = new Eager(s.protocol(), s.fixedPoint());
      Eager.Tensor x = eg.privateInput(0, s.self() == 0 ? new double[] {1, 2, 3} : null, V);
      Eager.Tensor y = eg.privateInput(cfg.parties() - 1, s.self() == cfg.parties() - 1 ? new double[] {1, 2, 3} : null, V);
      return x.add(y).doubles();
    }));
    assertEquals("the tensor is secret: reveal it first", e.getMessage());
  }
}

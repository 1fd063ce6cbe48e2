package org.sparkspu.engine.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.hal.EncodingException;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.SessionConfig;

/** Constant folding, common-subexpression elimination and dead-code elimination. */
class PassesTest {
  static final FixedPoint FP = new FixedPoint(18);
  static final Shape V = Shape.vector(2);

  @Test
  void constantSubtreesFoldToOneConstant() {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", V);
    Value c = t.constant(2).mul(t.constant(3)).add(t.constant(0.5)).exp(); // e^6.5, public: exact
    t.output("y", x.add(c));
    Program folded = Passes.dce(Passes.cse(Passes.fold(t.build(), FP)));
    assertEquals(1, folded.opCount(), folded.listing()); // only the add: the constants and their broadcast fold
    long constants = folded.nodes().stream().filter(n -> n.op() instanceof Op.Constant).count();
    assertEquals(1, constants, folded.listing());
    var r = Harness.run(SessionConfig.aby3(), t.build(), Map.of("x", new double[] {1, -1}));
    assertEquals(1 + Math.exp(6.5), r.out("y")[0], 1e-4);
    assertEquals(0, r.profile().total().bytesSent());
  }

  @Test
  void foldingAConstantOutsideAFunctionsDomainFailsAtCompileTime() {
    Tracer t = new Tracer();
    t.output("y", t.secretInput("x", V).add(t.constant(-1).log()));
    var e = assertThrows(EncodingException.class, () -> Passes.fold(t.build(), FP));
    assertTrue(e.getMessage().startsWith("log at position 0"), e.getMessage());
  }

  @Test
  void equalSubexpressionsAreComputedOnce() {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", V), y = t.secretInput("y", V);
    t.output("a", x.mul(y).sigmoid());
    t.output("b", x.mul(y).sigmoid().add(1.0));
    Program p = Passes.cse(t.build());
    long muls = p.nodes().stream().filter(n -> n.op() instanceof Op.Mul).count();
    long sigmoids = p.nodes().stream().filter(n -> n.op() instanceof Op.Sigmoid).count();
    assertEquals(1, muls, p.listing());
    assertEquals(1, sigmoids);
    var r = Harness.run(SessionConfig.semi2k(2), t.build(), Map.of("x", new double[] {1, 2}, "y", new double[] {0.5, -1}));
    assertEquals(2, r.communicatingOps(), r.explain()); // one mul (its truncation is local in 2-party semi2k), one sigmoid
  }

  @Test
  void deadNodesAreRemoved() {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", V);
    x.exp();               // unused
    x.mul(x).reveal();     // unused
    t.output("y", x.add(1.0));
    Program p = Passes.dce(t.build());
    assertEquals(2, p.opCount(), p.listing()); // the broadcast of the constant and the add
    assertFalse(p.listing().contains("exp"));
    var r = Harness.run(SessionConfig.aby3(), t.build(), Map.of("x", new double[] {1, 2}));
    assertEquals(0, r.kernelCalls());
  }
}

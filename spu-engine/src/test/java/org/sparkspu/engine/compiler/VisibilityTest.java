package org.sparkspu.engine.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * Visibility: public op secret and private op private-of-one-party run locally with no
 * communication; a private value meeting a secret is input-shared at that point and nowhere else.
 */
class VisibilityTest {
  static Stream<SessionConfig> configs() {
    return Stream.of(SessionConfig.semi2k(2), SessionConfig.aby3(), SessionConfig.of("ref2k", 3));
  }

  static final Shape V = Shape.vector(4);

  @ParameterizedTest
  @MethodSource("configs")
  void publicTimesSecretAndSecretPlusPublicSendNothing(SessionConfig cfg) {
    var r = Harness.run(cfg, withIntCondition(), inputs());
    assertEquals(0, r.profile().total().bytesSent(), r.explain() + r.profile().table());
    assertEquals(0, r.rounds());
    assertEquals(0, r.kernelCalls());
    assertArrayEquals(new double[] {1.5 + 1, -2 + 2, 0.25 + 3, 4 + 4}, r.out("a"));
    assertArrayEquals(new double[] {1.5 - 1, -2 - 2, 0.25 - 3, 4 - 4}, r.out("b"));
    assertArrayEquals(new double[] {4.5, -6, 0.75, 12}, r.out("c"));
    assertArrayEquals(new double[] {3, -4, 0.5, 8}, r.out("d"));
    assertArrayEquals(new double[] {7, -10, 9, 0}, r.out("e"));
    assertArrayEquals(new double[] {1.5, 2, 0.25, -4}, r.out("f"));
  }

  private static org.sparkspu.engine.ir.Program withIntCondition() {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", V), k = t.secretInts("k", V);
    Value w = t.publicInput("w", V);
    Value cond = t.input("cond", Visibility.PUBLIC, DType.INT, V);
    t.output("a", x.add(w));                 // secret + public
    t.output("b", w.sub(x).neg());           // public - secret
    t.output("c", x.mul(3L));                // secret x public integer
    t.output("d", x.mul(2.0));               // secret x integer-valued fixed-point constant: no truncation
    t.output("e", k.mul(w));                 // secret integer x public fixed point: no truncation
    t.output("f", cond.select(x, x.neg()));  // public condition: local
    return t.build();
  }

  private static Map<String, double[]> inputs() {
    Map<String, double[]> m = new HashMap<>();
    m.put("x", new double[] {1.5, -2, 0.25, 4});
    m.put("k", new double[] {7, -5, 3, 0});
    m.put("w", new double[] {1, 2, 3, 4});
    m.put("cond", new double[] {1, 0, 1, 0});
    return m;
  }

  @ParameterizedTest
  @MethodSource("configs")
  void privateOpsOfOnePartyRunAtThatPartyAlone(SessionConfig cfg) {
    Tracer t = new Tracer();
    Value x = t.privateInput(0, "x", V), y = t.privateInput(0, "y", V);
    Value z = x.mul(y).add(x.exp()).div(y.abs().add(1.0)).sigmoid().log();
    assertEquals(Visibility.of(0), z.visibility(), "private op private of the same party stays private");
    t.output("z", z);
    Map<String, double[]> in = Map.of("x", new double[] {0.5, 1, -1, 2}, "y", new double[] {1, -2, 3, 0.5});
    var r = Harness.run(cfg, t.build(), in);
    assertEquals(0, r.profile().total().bytesSent());
    assertEquals(0, r.kernelCalls());
    double[] got = r.out("z");
    for (int i = 0; i < 4; i++) {
      double xv = in.get("x")[i], yv = in.get("y")[i];
      double want = Math.log(1 / (1 + Math.exp(-(xv * yv + Math.exp(xv)) / (Math.abs(yv) + 1))));
      assertEquals(want, got[i], 1e-4);
    }
    for (int p = 1; p < cfg.parties(); p++) assertFalse(r.outputs().get(p).holds("z"), "party " + p + " must hold nothing");
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aPrivateValueIsInputSharedOnlyWhereItMeetsASecret(SessionConfig cfg) {
    Tracer t = new Tracer();
    Value x = t.privateInput(0, "x", V), s = t.secretInput("s", V);
    Value local = x.mul(x).add(1.0);          // private(0): computed by party 0 in plaintext
    Value mixed = local.mul(s);               // private meets secret: one input of party 0
    assertEquals(Visibility.SECRET, mixed.visibility());
    t.output("local", local);
    t.output("mixed", mixed.reveal());
    var r = Harness.run(cfg, t.build(), Map.of("x", new double[] {1, 2, -3, 0.5}, "s", new double[] {2, 0.5, 1, -4}));
    assertArrayEquals(new double[] {4, 2.5, 10, -5}, r.outputs().get(0).doubles("mixed"));
    assertArrayEquals(new double[] {2, 5, 10, 1.25}, r.outputs().get(0).doubles("local"));
    assertFalse(r.outputs().get(1).holds("local"));
    assertTrue(r.outputs().get(1).holds("mixed"));
    var input = r.profile().entry("input");
    long inputCalls = input == null ? 0 : input.calls();
    assertEquals(1, inputCalls, "exactly one input-sharing (of the private product), none of x itself\n" + r.explain());
    assertEquals(4, input.elements());
  }

  @Test
  void privateValuesOfTwoPartiesMeetAsSecretAndRevealToOnePartyIsPrivate() {
    Tracer t = new Tracer();
    Value x = t.privateInput(0, "x", V), y = t.privateInput(1, "y", V);
    Value sum = x.add(y);
    assertEquals(Visibility.SECRET, sum.visibility());
    assertEquals(Visibility.of(2), sum.revealTo(2).visibility());
    assertEquals(Visibility.PUBLIC, t.constant(2).mul(3L).visibility());
    assertEquals(Visibility.of(1), y.mul(t.constant(2)).visibility());
    t.output("to2", sum.revealTo(2));
    var r = Harness.run(SessionConfig.aby3(), t.build(), Map.of("x", new double[] {1, 2, 3, 4}, "y", new double[] {10, 20, 30, 40}));
    assertArrayEquals(new double[] {11, 22, 33, 44}, r.outputs().get(2).doubles("to2"));
    assertFalse(r.outputs().get(0).holds("to2"));
    assertFalse(r.outputs().get(1).holds("to2"));
  }

  @Test
  void partiesMisuseInputsWithClearErrors() {
    Tracer t = new Tracer();
    Value x = t.privateInput(1, "x", V);
    t.output("y", x.add(1.0));
    var prog = t.build();
    var e = assertThrows(IllegalArgumentException.class, () -> Simulator.run(SessionConfig.semi2k(2), s -> {
      Map<String, Object> in = new HashMap<>();
      in.put("x", new double[] {1, 2, 3, 4}); // party 0 supplies party 1's input
      return Compiler.compile(prog, s.protocol(), s.fixedPoint()).run(in);
    }));
    assertTrue(e.getMessage().contains("private to party 1"), e.getMessage());
    Tracer t3 = new Tracer();
    t3.output("y", t3.privateInput(5, "x", V));
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> Simulator.run(SessionConfig.semi2k(2), s -> Compiler.compile(t3.build(), s.protocol(), s.fixedPoint())));
    assertTrue(e2.getMessage().contains("party 5"), e2.getMessage());
    // an unencodable private value is named by input and position, never by value
    Tracer t4 = new Tracer();
    t4.output("y", t4.privateInput(0, "salary", V).add(1.0));
    var e3 = assertThrows(org.sparkspu.engine.hal.EncodingException.class, () -> Simulator.run(SessionConfig.semi2k(2), s ->
        Compiler.compile(t4.build(), s.protocol(), s.fixedPoint()).run(s.self() == 0
            ? Map.of("salary", new double[] {1, 2, 987654321987654.0, 4}) : Map.of())));
    assertTrue(e3.getMessage().contains("input \"salary\" at position 2"), e3.getMessage());
    assertFalse(e3.getMessage().contains("9876"), e3.getMessage());
  }
}

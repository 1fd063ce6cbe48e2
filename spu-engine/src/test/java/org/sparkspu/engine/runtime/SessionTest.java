package org.sparkspu.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.link.PeerTimeoutException;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

class SessionTest {
  private static final List<SessionConfig> SECRET = List.of(SessionConfig.aby3(), SessionConfig.semi2k(2), SessionConfig.semi2k(3));

  @Test
  void twoSessionsNeverProduceTheSameShares() {
    RingTensor x = RingTensor.vector(1, 2, 3, 4, 5, 6, 7, 8);
    for (SessionConfig cfg : SECRET) {
      long[][] first = sharesOfParty1(cfg, x), second = sharesOfParty1(cfg, x);
      assertFalse(Arrays.equals(first[0], second[0]), cfg.protocol() + ": fresh seeds must give fresh shares");
      assertFalse(Arrays.equals(first[1], second[1]), cfg.protocol() + ": fresh seeds must give fresh products");
    }
  }

  private static long[][] sharesOfParty1(SessionConfig cfg, RingTensor x) {
    return Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Share a = p.input(0, s.self() == 0 ? x : null, x.shape());
      Share b = p.mul(a, a);
      return new long[][] {a.part(0).data(), b.part(0).data()};
    }).output(1);
  }

  @Test
  void thePublicSeedIsCommonWithinASessionAndFreshAcrossSessions() {
    for (SessionConfig cfg : SECRET) {
      var first = Simulator.run(cfg, s -> s.protocol().publicRandom().next(4));
      for (long[] other : first.outputs()) assertArrayEquals(first.output(0), other, cfg.protocol());
      var second = Simulator.run(cfg, s -> s.protocol().publicRandom().next(4));
      assertFalse(Arrays.equals(first.output(0), second.output(0)), cfg.protocol());
    }
  }

  @Test
  void emptyAndOneElementTensorsWorkInEveryProtocol() {
    for (SessionConfig cfg : List.of(SessionConfig.of("ref2k", 2), SessionConfig.aby3(), SessionConfig.semi2k(2), SessionConfig.semi2k(3))) {
      for (int n : new int[] {0, 1}) {
        long[] v = new long[n];
        if (n == 1) v[0] = -5;
        Shape shape = Shape.vector(n);
        long[][] out = Simulator.run(cfg, s -> {
          Protocol p = s.protocol();
          Share a = p.input(0, s.self() == 0 ? RingTensor.wrap(v, shape) : null, shape);
          return new long[][] {p.reveal(p.mul(a, a)).data(), p.reveal(p.lessThan(a, p.constant(RingTensor.zeros(shape)))).data(),
              p.reveal(p.equal(a, a)).data(), p.reveal(p.b2a(p.a2b(a))).data(), p.reveal(p.trunc(a, 1)).data()};
        }).output(0);
        assertEquals(n, out[0].length);
        if (n == 1) {
          assertEquals(25, out[0][0]);
          assertEquals(1, out[1][0]);
          assertEquals(1, out[2][0]);
          assertEquals(-5, out[3][0]);
          assertTrue(Math.abs(out[4][0] - (-5 >> 1)) <= 1);
        }
      }
    }
  }

  @Test
  void negativeFixedPointProductsMatchPlaintext() {
    FixedPoint fxp = new FixedPoint(18);
    double[] xs = {-1.5, -0.001, 3.25, -1000.125, 0, -2};
    double[] ys = {2.0, -4.0, -0.5, 0.75, -7, -3.5};
    for (SessionConfig cfg : SECRET) {
      double[] got = Simulator.run(cfg, s -> {
        Protocol p = s.protocol();
        Shape sh = Shape.vector(xs.length);
        Share a = p.input(0, s.self() == 0 ? fxp.encode(xs) : null, sh);
        Share b = p.input(1, s.self() == 1 ? fxp.encode(ys) : null, sh);
        return fxp.decode(p.reveal(p.trunc(p.mul(a, b), fxp.fractionBits())));
      }).output(0);
      for (int i = 0; i < xs.length; i++) {
        assertEquals(xs[i] * ys[i], got[i], 2 * Math.scalb(1.0, -18), cfg.protocol() + " at " + i);
      }
    }
  }

  @Test
  void aFailingPartyMakesItsPeersFailFastWithTheRootCause() {
    for (SessionConfig cfg : SECRET) {
      SessionConfig slowTimeout = cfg.withTimeout(Duration.ofSeconds(60));
      var e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IllegalStateException.class,
          () -> Simulator.run(slowTimeout, s -> {
            Protocol p = s.protocol();
            Share a = p.input(0, s.self() == 0 ? RingTensor.vector(1, 2) : null, Shape.vector(2));
            if (s.self() == 1) throw new IllegalStateException("party 1 hit bad input row 17");
            return p.reveal(p.mul(a, a));
          })));
      assertEquals("party 1 hit bad input row 17", e.getMessage());
    }
  }

  @Test
  void aSilentPeerTimesOutWithItsNameInTheError() {
    SessionConfig cfg = SessionConfig.aby3().withTimeout(Duration.ofMillis(300));
    var e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(PeerTimeoutException.class,
        () -> Simulator.run(cfg, s -> {
          Protocol p = s.protocol();
          Share a = p.input(0, s.self() == 0 ? RingTensor.vector(1, 2) : null, Shape.vector(2));
          if (s.self() == 2) {
            // party 2 stalls (no message, link still open) longer than the others' timeout
            try {
              Thread.sleep(2000);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
            return null;
          }
          return p.reveal(p.mul(a, a));
        })));
    assertTrue(e.getMessage().contains("from party 2"), e.getMessage());
    assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
  }

  @Test
  void mergedRoundsCountOneWayCallsWithDifferentReceiversSeparately() {
    // aby3 input from party 0 reaches party 1, input from party 1 reaches party 2: each call is
    // one round, though no single party sees both.
    var res = Simulator.run(SessionConfig.aby3(), s -> {
      Protocol p = s.protocol();
      p.input(0, s.self() == 0 ? RingTensor.vector(1) : null, Shape.vector(1));
      p.input(1, s.self() == 1 ? RingTensor.vector(2) : null, Shape.vector(1));
      return null;
    });
    assertEquals(2, res.profile().entry("input").rounds());
  }

  @Test
  void configRejectsImpossibleSettings() {
    assertThrows(IllegalArgumentException.class, () -> SessionConfig.of("aby3", 2));
    assertThrows(IllegalArgumentException.class, () -> SessionConfig.semi2k(1));
    assertThrows(IllegalArgumentException.class, () -> SessionConfig.of("spdz", 2));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SessionConfig.of("spdz", 2)).getMessage().contains("ref2k, semi2k or aby3"));
  }

  @Test
  void profileTableListsKernelsAndTotals() {
    var res = Simulator.run(SessionConfig.aby3(), s -> {
      Protocol p = s.protocol();
      Share a = p.input(0, s.self() == 0 ? RingTensor.vector(3, 4) : null, Shape.vector(2));
      return p.reveal(p.mul(a, a));
    });
    assertArrayEquals(new long[] {9, 16}, res.output(0).data());
    String table = res.profile().table();
    assertTrue(table.contains("mul") && table.contains("input") && table.contains("reveal") && table.contains("total"), table);
  }
}

package org.sparkspu.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/** Local mode: all parties as driver threads, over in-memory links and over loopback Netty. */
class MpcRunnerLocalTest {
  private static SpuConf conf(String protocol, int parties, String link) {
    return SpuConf.defaults().withProtocol(protocol, parties).withLink(link).withRuntime("local");
  }

  static SpuConf withTimeout(SpuConf c, Duration t) {
    return new SpuConf(c.protocol(), c.parties(), c.fractionBits(), t, c.minGroupSize(), c.link(), c.runtime(), c.batchRows());
  }

  @ParameterizedTest
  @CsvSource({"aby3,3,memory", "aby3,3,netty", "semi2k,2,memory", "semi2k,3,netty"})
  void secureSumAndComparisonEqualPlaintext(String protocol, int parties, String link) {
    List<long[]> in = SumCompare.inputs(parties, 64, 7 + parties);
    MpcRun<SumCompare.Out> run = MpcRunner.runLocal(conf(protocol, parties, link), in, new SumCompare(64));
    for (int p = 0; p < parties; p++) {
      assertArrayEquals(SumCompare.plainSum(in), run.output(p).sum(), "sum at party " + p);
      assertArrayEquals(SumCompare.plainLess(in), run.output(p).less(), "less at party " + p);
    }
    assertEquals(parties, run.bytesSentPerParty().length);
    for (long b : run.bytesSentPerParty()) assertTrue(b > 0);
    // input (1) + comparison (several) + 2 reveals: more than 3 rounds, fewer than 40
    assertTrue(run.criticalPathRounds() > 3 && run.criticalPathRounds() < 40, "rounds " + run.criticalPathRounds());
    assertTrue(run.profile().total().calls() > 0);
    assertTrue(run.where().contains(link));
  }

  @ParameterizedTest
  @CsvSource({"memory", "netty"})
  void failingPartyIsNamedAndPeersDoNotWaitForTheTimeout(String link) {
    SpuConf c = withTimeout(conf("aby3", 3, link), Duration.ofSeconds(20));
    long t0 = System.nanoTime();
    MpcPartyException e = assertThrows(MpcPartyException.class, () -> MpcRunner.runLocal(c, SumCompare.inputs(3, 8, 1),
        (s, in) -> {
          if (s.self() == 1) throw new IllegalStateException("boom at one");
          return new SumCompare(8).run(s, in);
        }));
    double secs = (System.nanoTime() - t0) / 1e9;
    assertEquals(1, e.party());
    assertTrue(e.getMessage().contains("party 1") && e.getMessage().contains("boom at one"), e.getMessage());
    assertTrue(secs < 10, "took " + secs + " s");
  }

  @Test
  void refusalsPassThroughUnwrapped() {
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> MpcRunner.runLocal(conf("aby3", 3, "memory"),
        List.of(0, 1, 2), (s, in) -> {
          throw new SpuQueryException("price", "column price: refused");
        }));
    assertEquals("price", e.column());
  }

  @Test
  void checkedExceptionsAreWrappedNamingTheParty() {
    MpcPartyException e = assertThrows(MpcPartyException.class, () -> MpcRunner.runLocal(conf("semi2k", 2, "memory"),
        List.of(0, 1), (s, in) -> {
          if (s.self() == 0) throw new java.io.IOException("cannot read party 0's folder");
          return s.protocol().reveal(s.protocol().input(0, null, org.sparkspu.engine.ring.Shape.vector(1)));
        }));
    assertEquals(0, e.party());
    assertInstanceOf(java.io.IOException.class, e.getCause());
  }

  @Test
  void oneInputPerParty() {
    assertThrows(IllegalArgumentException.class, () -> MpcRunner.runLocal(conf("aby3", 3, "memory"), List.of(1, 2),
        (s, in) -> in));
  }
}

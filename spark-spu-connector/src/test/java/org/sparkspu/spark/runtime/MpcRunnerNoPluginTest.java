package org.sparkspu.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.spark.SpuPlugin;
import org.sparkspu.spark.plan.SpuConf;

/**
 * Executor mode without the plugin: tasks bind directly on their executor's host and exchange
 * addresses with Spark's allGather; SpuPlugin.conf still gives the session's settings.
 */
class MpcRunnerNoPluginTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[3]").appName("MpcRunnerNoPluginTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.spu.runtime", "executors").config("spark.spu.timeout", "20s").getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  @Test
  void runsWithAllGatherAndPlainEndpoints() {
    SpuConf conf = SpuPlugin.conf(spark);
    assertEquals("executors", conf.runtime());
    assertTrue(SpuPlugin.partyTable().isEmpty());
    List<long[]> in = SumCompare.inputs(3, 32, 11);
    MpcRun<SumCompare.Out> run = MpcRunner.run(spark, conf, in, new SumCompare(32));
    for (int p = 0; p < 3; p++) {
      assertArrayEquals(SumCompare.plainSum(in), run.output(p).sum());
      assertArrayEquals(SumCompare.plainLess(in), run.output(p).less());
    }
    assertTrue(run.where().startsWith("executors"), run.where());
    List<Boolean> sawService = MpcRunner.run(spark, conf, List.of(0, 1, 2),
        (s, x) -> EndpointService.current().isPresent()).outputs();
    assertEquals(List.of(false, false, false), sawService);
  }

  @Test
  void failuresAreNamedToo() {
    MpcPartyException e = assertThrows(MpcPartyException.class, () -> MpcRunner.run(spark, SpuPlugin.conf(spark),
        List.of(0, 1, 2), (s, x) -> {
          if (s.self() == 2) throw new UnsupportedOperationException("not at two");
          // Party 0 owns the input and passes a value: only party 2 fails on its own, 0 and 1 see its link close.
          Shape one = Shape.vector(1);
          return s.protocol().reveal(s.protocol().input(0, s.self() == 0 ? RingTensor.zeros(one) : null, one));
        }));
    assertEquals(2, e.party(), e.getMessage());
    assertFalse(e.getMessage().contains("[then party 2"), e.getMessage());
  }
}

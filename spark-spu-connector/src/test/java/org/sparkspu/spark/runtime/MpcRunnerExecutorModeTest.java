package org.sparkspu.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkspu.spark.SpuPlugin;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * Executor mode on a local[3] master: the barrier tasks run in the driver JVM's local executor,
 * which exercises the whole task path (allGather, endpoint service, Netty links, results and
 * profiles back to the driver, failures) cheaply; separate executor JVMs are the it module's test.
 */
class MpcRunnerExecutorModeTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    // A bad setting fails the SparkContext start with the key named.
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> builder()
        .config("spark.spu.parties", "three").getOrCreate());
    assertTrue(bad.getMessage().contains("spark.spu.parties"), bad.getMessage());
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    spark = builder().config("spark.spu.runtime", "executors").config("spark.spu.timeout", "20s").getOrCreate();
  }

  private static SparkSession.Builder builder() {
    return SparkSession.builder().master("local[3]").appName("MpcRunnerExecutorModeTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.plugins", SpuPlugin.class.getName());
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  /** What a party task saw of its executor. */
  record Where(long pid, boolean service, int slot) implements Serializable {}

  @Test
  void aby3SumAndComparisonOnExecutorsEqualPlaintext() {
    SpuConf conf = SpuPlugin.conf(spark);
    assertEquals(MpcRunner.EXECUTORS, MpcRunner.mode(spark, conf));
    List<long[]> in = SumCompare.inputs(3, 100, 3);
    MpcRun<SumCompare.Out> run = MpcRunner.run(spark, conf, in, new SumCompare(100));
    for (int p = 0; p < 3; p++) {
      assertArrayEquals(SumCompare.plainSum(in), run.output(p).sum());
      assertArrayEquals(SumCompare.plainLess(in), run.output(p).less());
      assertTrue(run.bytesSentPerParty()[p] > 0);
    }
    assertTrue(run.where().startsWith("executors (party 0: executor driver"), run.where());
    assertTrue(run.criticalPathRounds() > 3, "rounds " + run.criticalPathRounds());
    // Same program locally: same link depth and the same bytes.
    MpcRun<SumCompare.Out> local = MpcRunner.runLocal(conf.withRuntime("local"), in, new SumCompare(100));
    assertEquals(local.criticalPathRounds(), run.criticalPathRounds());
    assertArrayEquals(local.bytesSentPerParty(), run.bytesSentPerParty());
    assertEquals(local.profile().total().calls(), run.profile().total().calls());
    assertEquals(local.profile().total().bytesSent(), run.profile().total().bytesSent());
  }

  @Test
  void tasksUseThePluginsEndpointService() {
    MpcRun<Where> run = MpcRunner.run(spark, SpuPlugin.conf(spark), List.of(0, 1, 2), (s, in) -> {
      s.protocol().reveal(s.protocol().input(0, s.self() == 0 ? org.sparkspu.engine.ring.RingTensor.wrap(new long[] {in},
          org.sparkspu.engine.ring.Shape.vector(1)) : null, org.sparkspu.engine.ring.Shape.vector(1)));
      EndpointService svc = EndpointService.current().orElse(null);
      return new Where(ProcessHandle.current().pid(), svc != null, svc == null ? -2 : svc.slot());
    });
    for (int p = 0; p < 3; p++) {
      assertTrue(run.output(p).service(), "party " + p + " found no endpoint service");
      assertEquals(0, run.output(p).slot()); // the local executor registered as slot 0
    }
    assertEquals(1, SpuPlugin.partyTable().orElseThrow().size());
    assertEquals("driver", SpuPlugin.partyTable().orElseThrow().slot(0).orElseThrow().executorId());
    assertEquals(0, EndpointService.current().orElseThrow().openSessions(), "listeners released");
  }

  @Test
  void semi2kTwoPartiesOnExecutors() {
    SpuConf conf = SpuPlugin.conf(spark).withProtocol("semi2k", 2);
    List<long[]> in = SumCompare.inputs(2, 40, 5);
    MpcRun<SumCompare.Out> run = MpcRunner.run(spark, conf, in, new SumCompare(40));
    for (int p = 0; p < 2; p++) {
      assertArrayEquals(SumCompare.plainSum(in), run.output(p).sum());
      assertArrayEquals(SumCompare.plainLess(in), run.output(p).less());
    }
  }

  @Test
  void failingPartyIsNamedOnTheDriver() {
    SpuConf conf = SpuPlugin.conf(spark);
    long t0 = System.nanoTime();
    MpcPartyException e = assertThrows(MpcPartyException.class, () -> MpcRunner.run(spark, conf, SumCompare.inputs(3, 8, 1),
        (s, in) -> {
          if (s.self() == 1) throw new IllegalStateException("party one gives up");
          return new SumCompare(8).run(s, in);
        }));
    double secs = (System.nanoTime() - t0) / 1e9;
    assertEquals(1, e.party());
    assertTrue(e.getMessage().contains("failed at party 1") && e.getMessage().contains("party one gives up"), e.getMessage());
    assertTrue(e.getCause() instanceof MpcPartyException.Remote, String.valueOf(e.getCause()));
    assertEquals(IllegalStateException.class.getName(), ((MpcPartyException.Remote) e.getCause()).originalClass());
    assertTrue(secs < 15, "took " + secs + " s");
  }

  @Test
  void refusalsArriveAsThemselves() {
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> MpcRunner.run(spark, SpuPlugin.conf(spark),
        List.of(0, 1, 2), (s, in) -> {
          throw new SpuQueryException("l_tax", "secure_sum(l_tax): refused");
        }));
    assertEquals("l_tax", e.column());
    assertEquals("secure_sum(l_tax): refused", e.getMessage());
  }

  @Test
  void nonSerializableOutputIsAClearError() {
    MpcPartyException e = assertThrows(MpcPartyException.class, () -> MpcRunner.run(spark, SpuPlugin.conf(spark),
        List.of(0, 1, 2), (s, in) -> new Object()));
    assertTrue(e.getMessage().contains("cannot be serialized"), e.getMessage());
  }

  @Test
  void aSessionThatCannotGetItsTaskSlotsFailsWithinTheTimeout() throws Exception {
    // Occupy all three slots for a while: the barrier stage cannot start, and must not wait forever.
    org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
    java.util.concurrent.Future<?> busy = java.util.concurrent.Executors.newSingleThreadExecutor().submit(() ->
        jsc.parallelize(List.of(1, 2, 3), 3).foreach(x -> Thread.sleep(4000)));
    try {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (spark.sparkContext().statusTracker().getActiveStageIds().length == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(300); // let its tasks take the slots
      SpuConf conf = MpcRunnerLocalTest.withTimeout(SpuPlugin.conf(spark), Duration.ofMillis(1500));
      long t0 = System.nanoTime();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> MpcRunner.run(spark, conf,
          List.of(0, 1, 2), (s, in) -> in));
      double secs = (System.nanoTime() - t0) / 1e9;
      assertTrue(e.getMessage().contains("could not start within 1500 ms"), e.getMessage());
      assertTrue(secs < 3.5, "took " + secs + " s");
    } finally {
      busy.get();
    }
    // The cluster is usable again.
    assertEquals(List.of(0, 1, 2), MpcRunner.run(spark, SpuPlugin.conf(spark), List.of(0, 1, 2), (s, in) -> in).outputs());
  }

  @Test
  void sessionConfOverridesAndAutoModeOnALocalMaster() {
    try {
      spark.conf().set("spark.spu.protocol", "semi2k");
      spark.conf().set("spark.spu.runtime", "auto");
      SpuConf c = SpuPlugin.conf(spark);
      assertEquals("semi2k", c.protocol());
      assertEquals(2, c.parties());
      assertEquals(Duration.ofSeconds(20), c.timeout());
      assertEquals(MpcRunner.LOCAL, MpcRunner.mode(spark, c));
    } finally {
      spark.conf().unset("spark.spu.protocol");
      spark.conf().set("spark.spu.runtime", "executors");
    }
  }

  @Test
  void catalogIsRegisteredWhenItsClassIsPresent() {
    boolean present;
    try {
      Class.forName(SpuPlugin.CATALOG_CLASS);
      present = true;
    } catch (ClassNotFoundException e) {
      present = false;
    }
    assertEquals(present, spark.conf().getOption(SpuPlugin.CATALOG_KEY).isDefined());
    if (present) assertEquals(SpuPlugin.CATALOG_CLASS, spark.conf().get(SpuPlugin.CATALOG_KEY));
  }
}

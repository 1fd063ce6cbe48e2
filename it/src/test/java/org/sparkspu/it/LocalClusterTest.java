package org.sparkspu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.SpuPlugin;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.runtime.EndpointService;
import org.sparkspu.spark.runtime.MpcPartyException;
import org.sparkspu.spark.runtime.MpcRun;
import org.sparkspu.spark.runtime.MpcRunner;
import org.sparkspu.spark.runtime.PartyProgram;
import org.sparkspu.spark.runtime.PartyTable;
import org.sparkspu.spark.sql.SpuQueryLog;

/**
 * A real Spark cluster in miniature: local-cluster[3,1,1024] (a master and three workers in this
 * JVM, each worker launching one executor JVM with one core) with spark.plugins=SpuPlugin. Every
 * party's engine must run in its own executor JVM, linked to the others over Netty, and failures
 * must surface on the driver naming the party, within the timeout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterTest {
  private static final int N = 64;
  private static SparkSession spark;

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    String home = System.getenv("SPARK_HOME");
    assertTrue(home != null && "2.13".equals(System.getenv("SPARK_SCALA_VERSION")),
        "run through Maven (surefire sets SPARK_HOME and SPARK_SCALA_VERSION for local-cluster)");
    // What the Worker needs of a "distribution" to build executor command lines (NOTES pitfall 5).
    Files.createDirectories(Path.of(home, "jars"));
    Files.writeString(Path.of(home, "RELEASE"), "Spark 4.1.0 (spark-spu integration tests: Maven jars)\n");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    spark = SparkSession.builder().master("local-cluster[3,1,1024]").appName("spark-spu LocalClusterTest")
        .config("spark.plugins", SpuPlugin.class.getName())
        .config("spark.spu.timeout", "20s")
        .config("spark.executor.memory", "512m")
        .config("spark.executor.extraClassPath", classpath)
        .config("spark.executor.extraJavaOptions", executorJavaOptions())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        // After an executor dies, retry the barrier stage as soon as slots are back (default 15 s).
        .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
        .getOrCreate();
    // Executors start asynchronously: wait until all three registered their engine endpoints.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (registered() < 3 && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(3, registered(), "executors that registered an engine endpoint");
  }

  private static int registered() {
    return SpuPlugin.partyTable().map(PartyTable::size).orElse(0);
  }

  /** The --add-opens flags of the test JVM (Arrow and Spark need them in executors too), without -Xmx. */
  private static String executorJavaOptions() {
    StringBuilder sb = new StringBuilder();
    for (String t : System.getProperty("spu.it.argLine", "").trim().split("\\s+")) {
      if (t.startsWith("--add-opens")) sb.append(sb.length() == 0 ? "" : " ").append(t);
    }
    return sb.toString();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  /** What one party revealed, and where it ran. */
  record Report(long[] sum, long[] less, long pid, String executorId, int slot, boolean pluginService)
      implements Serializable {}

  /**
   * Each party inputs a private vector (all in one exchange); the parties compute the secure sum of
   * the three vectors and whether party 0's element is below party 1's, and reveal both.
   */
  static final class SumAndCompare implements PartyProgram<long[], Report> {
    @Override
    public Report run(Session s, long[] mine) {
      Protocol p = s.protocol();
      int n = s.parties();
      int[] owners = new int[n];
      RingTensor[] values = new RingTensor[n];
      Shape[] shapes = new Shape[n];
      for (int k = 0; k < n; k++) {
        owners[k] = k;
        shapes[k] = Shape.vector(N);
        values[k] = k == s.self() ? RingTensor.wrap(mine, shapes[k]) : null;
      }
      List<Share> x = p.inputs(owners, values, shapes);
      Share sum = x.get(0);
      for (int k = 1; k < n; k++) sum = p.add(sum, x.get(k));
      Share less = p.lessThan(x.get(0), x.get(1));
      long[] sumOpen = p.reveal(sum).data();
      long[] lessOpen = p.reveal(less).data();
      EndpointService svc = EndpointService.current().orElse(null);
      return new Report(sumOpen, lessOpen, ProcessHandle.current().pid(), SparkEnv.get().executorId(),
          svc == null ? -1 : svc.slot(), svc != null);
    }
  }

  private static List<long[]> inputs(int parties, long seed) {
    Random r = new Random(seed);
    List<long[]> in = new ArrayList<>();
    for (int k = 0; k < parties; k++) {
      long[] v = new long[N];
      for (int i = 0; i < N; i++) v[i] = r.nextLong() >> 24; // |v| < 2^40: no wrap in sums or differences
      in.add(v);
    }
    in.get(1)[0] = in.get(0)[0]; // an equal pair: not less
    return in;
  }

  private static void assertPlaintext(List<long[]> in, Report r, int party) {
    long[] sum = new long[N];
    long[] less = new long[N];
    for (long[] v : in) for (int i = 0; i < N; i++) sum[i] += v[i];
    for (int i = 0; i < N; i++) less[i] = in.get(0)[i] < in.get(1)[i] ? 1 : 0;
    assertArrayEquals(sum, r.sum(), "secure sum revealed to party " + party);
    assertArrayEquals(less, r.less(), "comparison revealed to party " + party);
  }

  @Test
  @Order(1)
  @Timeout(60)
  void eachPartyRunsInItsOwnExecutorJvm() {
    SpuConf conf = SpuPlugin.conf(spark);
    assertEquals("auto", conf.runtime());
    assertEquals(3, MpcRunner.executorCount(spark.sparkContext()), "executors, not counting the driver");
    assertEquals(MpcRunner.EXECUTORS, MpcRunner.mode(spark, conf), "auto picks executors on a 3-executor cluster");
    List<long[]> in = inputs(3, 42);
    MpcRun<Report> run = MpcRunner.run(spark, conf, in, new SumAndCompare());
    long driverPid = ProcessHandle.current().pid();
    Set<Long> pids = new HashSet<>();
    Set<String> executors = new HashSet<>();
    for (int p = 0; p < 3; p++) {
      Report r = run.output(p);
      assertPlaintext(in, r, p);
      assertNotEquals(driverPid, r.pid(), "party " + p + " ran in the driver JVM");
      assertNotEquals("driver", r.executorId());
      assertTrue(r.pluginService(), "party " + p + "'s executor runs the plugin's endpoint service");
      // The party table's locality preference: party k in the executor holding slot k.
      assertEquals(p, r.slot(), "party " + p + " ran in the executor of slot " + r.slot());
      pids.add(r.pid());
      executors.add(r.executorId());
      assertTrue(run.bytesSentPerParty()[p] > 0);
    }
    assertEquals(3, pids.size(), "three distinct executor JVMs: " + pids);
    assertEquals(3, executors.size(), "three distinct executors: " + executors);
    assertEquals(3, registered(), "the plugin registered three endpoints");
    assertTrue(run.where().startsWith("executors (party 0: executor "), run.where());
    assertTrue(run.criticalPathRounds() > 3, "rounds " + run.criticalPathRounds());
    assertTrue(run.profile().total().calls() > 0);
    System.out.printf("local-cluster MPC session: %.3f s, %d rounds, bytes per party %s, %s%n", run.seconds(),
        run.criticalPathRounds(), java.util.Arrays.toString(run.bytesSentPerParty()), run.where());
  }

  @Test
  @Order(2)
  @Timeout(60)
  void semi2kWithTwoPartiesOnTwoExecutors() {
    SpuConf conf = SpuPlugin.conf(spark).withProtocol("semi2k", 2);
    List<long[]> in = inputs(2, 7);
    MpcRun<Report> run = MpcRunner.run(spark, conf, in, new SumAndCompare());
    assertPlaintext(in, run.output(0), 0);
    assertPlaintext(in, run.output(1), 1);
    assertNotEquals(run.output(0).pid(), run.output(1).pid());
  }

  /** secure_join with the key owners' PSI in their own executors, then a secure aggregate of the joined table. */
  @Test
  @Order(2)
  @Timeout(120)
  void secureJoinRunsPsiOnTheExecutors() {
    List<org.apache.spark.sql.Row> a = new ArrayList<>(), b = new ArrayList<>();
    for (int i = 0; i < 40; i++) a.add(org.apache.spark.sql.RowFactory.create((long) i * 2, i % 3, (long) i));
    for (int i = 0; i < 90; i++) b.add(org.apache.spark.sql.RowFactory.create((long) (i % 45), (long) i * 10));
    var sa = new org.apache.spark.sql.types.StructType().add("k", "bigint").add("g", "int").add("x", "bigint");
    var sb = new org.apache.spark.sql.types.StructType().add("k", "bigint").add("y", "bigint");
    var da = spark.createDataFrame(a, sa);
    var db = spark.createDataFrame(b, sb);
    var j = org.sparkspu.spark.SecureFrame.own(spark, 0, da).join(org.sparkspu.spark.SecureFrame.own(spark, 1, db), "k");
    assertTrue(j.joinReport().where().startsWith("executors"), j.joinReport().where());
    var plain = da.join(db, "k").selectExpr("sum(x)", "sum(y)", "count(*)").first();
    var secure = j.agg(org.sparkspu.spark.SecureAgg.sum("x"), org.sparkspu.spark.SecureAgg.sum("y"),
        org.sparkspu.spark.SecureAgg.countAll()).reveal().first();
    assertEquals(plain.getLong(2), j.joinReport().rows());
    assertEquals(plain.getLong(0), secure.getLong(0));
    assertEquals(plain.getLong(1), secure.getLong(1));
    assertEquals(plain.getLong(2), secure.getLong(2));
  }

  @Test
  @Order(3)
  @Timeout(60)
  void aFailingPartyFailsTheRunNamingIt() {
    SpuConf conf = SpuPlugin.conf(spark);
    long t0 = System.nanoTime();
    MpcPartyException e = assertThrows(MpcPartyException.class, () -> MpcRunner.run(spark, conf, inputs(3, 1),
        (s, mine) -> {
          if (s.self() == 1) throw new IllegalStateException("party 1 cannot read its input folder");
          return new SumAndCompare().run(s, mine);
        }));
    double secs = (System.nanoTime() - t0) / 1e9;
    assertEquals(1, e.party());
    assertTrue(e.getMessage().contains("failed at party 1") && e.getMessage().contains("cannot read its input folder"),
        e.getMessage());
    assertNotEquals("driver", e.executorId());
    assertTrue(secs < conf.timeout().toSeconds(), "failed after " + secs + " s, timeout " + conf.timeout());
  }

  @Test
  @Order(4)
  @Timeout(120)
  void anExecutorThatDiesMidSessionFailsTheRunAtOnceAndItsReplacementServes() throws InterruptedException {
    SpuConf conf = SpuPlugin.conf(spark);
    List<long[]> in = inputs(3, 9);
    long t0 = System.nanoTime();
    // Party 1's executor JVM dies (halt: no shutdown hooks) after the session started. Its peers see
    // the connection drop; Spark fails the barrier stage (a barrier result stage is not retried).
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> MpcRunner.run(spark, conf, in, (s, mine) -> {
      Share one = s.protocol().input(0, s.self() == 0 ? RingTensor.wrap(new long[] {1}, Shape.vector(1)) : null,
          Shape.vector(1));
      s.protocol().reveal(one);
      if (s.self() == 1) Runtime.getRuntime().halt(3);
      return new SumAndCompare().run(s, mine);
    }));
    double secs = (System.nanoTime() - t0) / 1e9;
    assertTrue(e.getMessage().contains("failed in Spark") && e.getMessage().contains("ResultTask(")
        && e.getMessage().contains("ExecutorLostFailure"), e.getMessage());
    assertTrue(secs < conf.timeout().toSeconds(), "failed after " + secs + " s");
    // The worker starts a replacement executor; it registers and takes the freed party slot.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((registered() < 3 || MpcRunner.executorCount(spark.sparkContext()) < 3) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(3, registered());
    MpcRun<Report> run = MpcRunner.run(spark, conf, in, new SumAndCompare());
    Set<Long> pids = new HashSet<>();
    for (int p = 0; p < 3; p++) {
      assertPlaintext(in, run.output(p), p);
      assertEquals(p, run.output(p).slot());
      pids.add(run.output(p).pid());
    }
    assertEquals(3, pids.size());
    assertFalse(pids.contains(ProcessHandle.current().pid()));
    System.out.printf("dead executor: run failed after %.1f s; next run on the replacement: %s%n", secs, run.where());
  }

  static final StructType SALES = new StructType().add("k", DataTypes.StringType).add("x", DataTypes.IntegerType)
      .add("d", DataTypes.createDecimalType(12, 2));

  /** Party p's rows: keys a, b, c, NULL and a rare key per party (under minGroupSize), NULLs in x and d. */
  private static Dataset<Row> sales(int p, int rows) {
    Random r = new Random(100 + p);
    String[] keys = {"a", "b", "c", null};
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(RowFactory.create(i == 0 ? "rare" + p : keys[r.nextInt(keys.length)],
          r.nextInt(8) == 0 ? null : r.nextInt(2001) - 1000,
          r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextInt(200_001) - 50_000, 2)));
    }
    return spark.createDataFrame(out, SALES).repartition(2);
  }

  /** Rows as sorted strings (order-free comparison of exact values: integers, decimals, counts). */
  private static List<String> sortedRows(Dataset<Row> df) {
    List<String> out = new ArrayList<>();
    for (Row r : df.collectAsList()) out.add(r.toString());
    java.util.Collections.sort(out);
    return out;
  }

  /**
   * Secure SQL end to end in executor mode: a horizontal union view (SecureFrame) and a secret table
   * (format("spu") written by each party, read back), queried with secure_sum / secure_count /
   * secure_avg; the MPC ran as barrier tasks on the executors, results equal plaintext Spark's
   * (groups under spark.spu.minGroupSize = 4 rows suppressed).
   */
  @Test
  @Order(5)
  @Timeout(180)
  void secureSqlRunsInExecutorModeAndMatchesPlaintextSpark(@TempDir Path dir) {
    SpuConf conf = SpuPlugin.conf(spark);
    assertEquals(MpcRunner.EXECUTORS, MpcRunner.mode(spark, conf));
    List<Dataset<Row>> parties = List.of(sales(0, 60), sales(1, 80), sales(2, 70));
    parties.get(0).union(parties.get(1)).union(parties.get(2)).createOrReplaceTempView("sales_plain");
    String store = dir.resolve("sales").toString();
    for (int p = 0; p < 3; p++) {
      parties.get(p).write().format("spu").option("party", p).option("publicDomain", "k").mode(p == 0 ? "overwrite" : "append").save(store);
    }
    SecureFrame.union(SecureFrame.own(spark, 0, parties.get(0)), SecureFrame.own(spark, 1, parties.get(1)),
        SecureFrame.own(spark, 2, parties.get(2))).createOrReplaceTempView("sales_h");
    spark.read().format("spu").load(store).createOrReplaceTempView("sales_st");
    List<String> want = sortedRows(spark.sql("SELECT k, sum(d), count(*), sum(x), avg(d) FROM sales_plain WHERE x > -900 "
        + "GROUP BY k HAVING count(*) >= 4"));
    assertTrue(want.size() >= 3 && want.stream().noneMatch(w -> w.contains("rare")), want.toString());
    for (String view : List.of("sales_h", "sales_st")) {
      QueryProfile before = SpuQueryLog.last();
      List<String> got = sortedRows(spark.sql("SELECT k, secure_sum(d), secure_count(1), secure_sum(x), secure_avg(d) FROM " + view
          + " WHERE x > -900 GROUP BY k"));
      QueryProfile ran = SpuQueryLog.last();
      assertTrue(ran != null && ran != before, "an MPC query ran over " + view);
      assertEquals(want, got, view);
      // where the engines ran: one barrier task per party on the executors (not driver threads)
      assertTrue(ran.program().contains("MPC at executors (party 0: executor "), view + ": " + ran.program());
      assertTrue(ran.rounds() > 0 && ran.maxBytesPerParty() > 0, ran.summary());
      System.out.printf("local-cluster secure SQL over %s:%n%s", view, ran.summary());
    }
  }
}

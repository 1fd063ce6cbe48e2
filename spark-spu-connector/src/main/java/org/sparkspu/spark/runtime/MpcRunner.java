package org.sparkspu.spark.runtime;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.engine.link.LinkException;
import org.sparkspu.engine.runtime.NettyLoopback;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * Runs one MPC session of a query: every party's engine runs {@code program} with only its own
 * input. Where the engines run follows spark.spu.runtime ({@link #mode}):
 * <ul>
 *   <li>"local": as threads of the driver JVM, linked over loopback Netty (spark.spu.link=netty, the
 *       default) or in memory (spark.spu.link=memory);</li>
 *   <li>"executors": one Spark barrier task per party (a barrier stage of exactly {@code parties}
 *       tasks, all started together or not at all). Task k gets only input k, binds a Netty
 *       listener on its executor's host (through the executor's {@link EndpointService} when the
 *       plugin is on), learns the other parties' "party:host:port" through
 *       {@code BarrierTaskContext.allGather}, links to them and runs party k's engine. With the
 *       plugin, task k prefers the executor holding party slot k of the driver's {@link PartyTable},
 *       so that each party's engine runs in its own executor JVM;</li>
 *   <li>"auto" (default): executors when the master is not local[...] and the cluster has at least
 *       one executor per party, else local.</li>
 * </ul>
 *
 * <h2>What travels where (executor mode)</h2>
 * Party k's input is serialized into task k only (Spark's parallel-collection partitions carry
 * their own slice; the RDD's full list stays on the driver), so no other party's task or executor
 * receives it. In the embedded deployment the driver built every party's input, so the driver has
 * seen them all anyway; a program that should not ship plaintext through the driver takes a
 * reference as input (e.g. party k's folder) and reads the data inside task k. The program
 * closure is shipped to every task and must not capture party data. Each party's output returns
 * to the driver (outputs are meant to be revealed results or public metadata). Between the tasks
 * flow only the engine's protocol messages and the "party:host:port" addresses.
 *
 * <p>Inputs and outputs must be serializable by Spark's serializer (java.io.Serializable under the
 * default JavaSerializer; Kryo-serializable when spark.serializer is Kryo); so must the program
 * (it is a {@link PartyProgram}, which is Serializable).
 *
 * <h2>Failures</h2>
 * A party whose program throws ends its session, which makes its peers fail at once with "peer
 * closed"; every task then ends normally and reports its failure, and the driver throws a
 * {@link MpcPartyException} naming the party whose failure started it (a {@link SpuQueryException}
 * is rethrown as itself). Every wait is bounded by spark.spu.timeout: linking to the peers and every
 * message; a barrier stage that cannot start all its tasks within the timeout is cancelled. A task
 * or executor that dies fails the barrier stage at once (the dead peer's connections drop, and Spark
 * does not retry a barrier result stage): the run fails with Spark's reason, which names the task
 * (partition k = party k). Should a stage attempt ever be rerun, it runs under a session id of its
 * own, so no message of an old attempt can mix in.
 */
public final class MpcRunner {
  public static final String LOCAL = "local";
  public static final String EXECUTORS = "executors";

  private MpcRunner() {}

  /** What a party's program returned plus the party's own traffic (local mode). */
  record PartyOutcome<O>(O output, long bytesSent, int depth) implements Serializable {}

  /**
   * Runs {@code program} once per party, party k on {@code inputs.get(k)}, where {@link #mode}
   * says, and returns the outputs in party order.
   *
   * @throws MpcPartyException when a party fails (the message names it)
   * @throws SpuQueryException when a party's program refuses the query
   */
  public static <I, O> MpcRun<O> run(SparkSession spark, SpuConf conf, List<I> inputs, PartyProgram<I, O> program) {
    if (inputs.size() != conf.parties()) {
      throw new IllegalArgumentException("one input per party expected: " + conf.parties() + " parties, " + inputs.size() + " inputs");
    }
    return EXECUTORS.equals(mode(spark, conf)) ? runOnExecutors(spark, conf, inputs, program) : runLocal(conf, inputs, program);
  }

  /** "local" or "executors": where {@link #run} runs the parties under {@code conf} right now. */
  public static String mode(SparkSession spark, SpuConf conf) {
    switch (conf.runtime()) {
      case LOCAL:
        return LOCAL;
      case EXECUTORS:
        return EXECUTORS;
      default:
        SparkContext sc = spark.sparkContext();
        return !sc.isLocal() && !dynamicAllocation(sc) && executorCount(sc) >= conf.parties() ? EXECUTORS : LOCAL;
    }
  }

  /** Executors of the application, not counting the driver (0 under a local[...] master). */
  public static int executorCount(SparkContext sc) {
    if (sc.isLocal()) return 0;
    // The status tracker lists the driver's block manager too.
    return Math.max(0, sc.statusTracker().getExecutorInfos().length - 1);
  }

  private static boolean dynamicAllocation(SparkContext sc) {
    return sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false);
  }

  // ---------------------------------------------------------------------------------------------
  // local mode

  /** All parties as threads of this JVM. */
  public static <I, O> MpcRun<O> runLocal(SpuConf conf, List<I> inputs, PartyProgram<I, O> program) {
    if (inputs.size() != conf.parties()) {
      throw new IllegalArgumentException("one input per party expected: " + conf.parties() + " parties, " + inputs.size() + " inputs");
    }
    SessionConfig cfg = conf.sessionConfig();
    long t0 = System.nanoTime();
    Function<Session, PartyOutcome<O>> body = s -> {
      O out;
      try {
        out = program.run(s, inputs.get(s.self()));
      } catch (LinkException | SpuQueryException e) {
        throw e; // a link error is an echo of the real failure; a refusal speaks for itself
      } catch (Exception e) {
        throw new MpcPartyException(s.self(), "driver", "spark-spu MPC session failed at party " + s.self()
            + " (local thread): " + describe(e), e);
      }
      return new PartyOutcome<>(out, s.link().stats().bytesSent(), s.link().stats().depth());
    };
    Simulator.Result<PartyOutcome<O>> r = conf.link().equals("memory")
        ? Simulator.run(cfg, body)
        : NettyLoopback.run(cfg, java.time.Duration.ZERO, body);
    double secs = (System.nanoTime() - t0) / 1e9;
    List<O> outs = new ArrayList<>();
    long[] bytes = new long[conf.parties()];
    int rounds = 0;
    for (int p = 0; p < conf.parties(); p++) {
      outs.add(r.output(p).output());
      bytes[p] = r.output(p).bytesSent();
      rounds = Math.max(rounds, r.output(p).depth());
    }
    return new MpcRun<>(outs, r.profile(), bytes, secs, "local threads (" + conf.link() + ")", rounds);
  }

  static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // executor mode

  /**
   * One barrier task per party on the executors (see the class comment). Fails fast when the
   * cluster cannot run {@code parties} tasks at once (waiting up to the timeout for executors to
   * register first).
   */
  public static <I, O> MpcRun<O> runOnExecutors(SparkSession spark, SpuConf conf, List<I> inputs,
      PartyProgram<I, O> program) {
    if (inputs.size() != conf.parties()) {
      throw new IllegalArgumentException("one input per party expected: " + conf.parties() + " parties, " + inputs.size() + " inputs");
    }
    SparkContext sc = spark.sparkContext();
    int n = conf.parties();
    SessionConfig cfg = conf.sessionConfig();
    if (cfg.endpoints() != n) throw new IllegalArgumentException("executor mode runs no separate dealer endpoint");
    awaitSlots(sc, conf);
    String sessionId = "spu-" + UUID.randomUUID();
    long t0 = System.nanoTime();
    // With the plugin on the driver, every party exchanges addresses through its rendezvous.
    PartyTask<I, O> task = new PartyTask<>(conf, sessionId, program, PartyTable.current().isPresent());
    List<PartyTask.Result> results = ExecutorJob.run(sc, conf, sessionId, inputs, task);
    double secs = (System.nanoTime() - t0) / 1e9;
    results.sort(Comparator.comparingInt(PartyTask.Result::party));
    failIfAnyFailed(results, sessionId);
    List<O> outs = new ArrayList<>();
    long[] bytes = new long[n];
    int rounds = 0;
    List<Profile> profiles = new ArrayList<>();
    StringBuilder where = new StringBuilder("executors (");
    for (PartyTask.Result r : results) {
      outs.add(ExecutorJob.<O>deserialize(r.output()));
      bytes[r.party()] = r.bytesSent();
      rounds = Math.max(rounds, r.depth());
      profiles.add(ProfileData.rebuild(r.profile()));
      where.append(r.party() == 0 ? "" : ", ").append("party ").append(r.party()).append(": executor ")
          .append(r.executorId()).append(" on ").append(r.host());
    }
    return new MpcRun<>(outs, Profile.merge(profiles), bytes, secs, where.append(')').toString(), rounds);
  }

  /**
   * Barrier stages need one free task slot per task at once, and Spark refuses (then retries for
   * minutes) a barrier job that needs more slots than the cluster has: check first, waiting up to
   * the timeout for executors that are still registering.
   */
  private static void awaitSlots(SparkContext sc, SpuConf conf) {
    int n = conf.parties();
    if (dynamicAllocation(sc)) {
      throw new IllegalStateException("spark.spu.runtime=executors runs each party as a Spark barrier task, which Spark does"
          + " not support with spark.dynamicAllocation.enabled=true: disable dynamic allocation or use spark.spu.runtime=local");
    }
    if (sc.isLocal()) {
      if (sc.defaultParallelism() < n) {
        throw new IllegalStateException("spark.spu.runtime=executors needs " + n + " task slots at once (one per party), but the"
            + " local master " + sc.master() + " has " + sc.defaultParallelism());
      }
      return;
    }
    long deadline = System.nanoTime() + conf.timeout().toNanos();
    int have = executorCount(sc);
    while (have < n && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for executors", e);
      }
      have = executorCount(sc);
    }
    if (have < n) {
      throw new IllegalStateException("spark.spu.runtime=executors needs at least " + n + " executors (one per party), the"
          + " cluster has " + have + " after waiting " + conf.timeout().toMillis() + " ms (spark.spu.timeout)");
    }
  }

  private static void failIfAnyFailed(List<PartyTask.Result> results, String sessionId) {
    List<PartyTask.Result> failed = new ArrayList<>();
    for (PartyTask.Result r : results) if (r.failure() != null) failed.add(r);
    if (failed.isEmpty()) return;
    // The party whose own failure started it: the earliest failure that is not a link error
    // (its peers' "peer closed" are echoes), else the earliest link error.
    PartyTask.Result root = failed.stream()
        .min(Comparator.comparing((PartyTask.Result r) -> r.failure().linkError()).thenComparingLong(r -> r.failure().atMillis()))
        .orElseThrow();
    PartyTask.Failure f = root.failure();
    if (f.queryColumn() != null || SpuQueryException.class.getName().equals(f.chain().get(0).className())) {
      throw new SpuQueryException(f.queryColumn(), f.chain().get(0).message());
    }
    StringBuilder others = new StringBuilder();
    for (PartyTask.Result r : results) {
      if (r == root) continue;
      others.append(others.length() == 0 ? "" : ", ").append("party ").append(r.party()).append(": ")
          .append(r.failure() == null ? "finished" : r.failure().chain().get(0).simpleName());
    }
    throw new MpcPartyException(root.party(), root.executorId(), "spark-spu MPC session " + sessionId + " failed at party "
        + root.party() + " (executor " + root.executorId() + " on " + root.host() + "): " + f.chain().get(0).summary()
        + (others.length() == 0 ? "" : " [then " + others + "]"), f.toRemote());
  }

  /** Waits for the barrier job, bounded: see {@link ExecutorJob}. */
  static <T> T await(JavaFutureAction<T> job, SparkContext sc, SpuConf conf, int tasks) {
    long startDeadline = System.nanoTime() + conf.timeout().toNanos();
    while (true) {
      try {
        return job.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (System.nanoTime() > startDeadline && !ExecutorJob.anyTaskStarted(sc, job)) {
          job.cancel(true);
          throw new IllegalStateException("spark-spu: the barrier stage of " + tasks + " party tasks could not start within "
              + conf.timeout().toMillis() + " ms (spark.spu.timeout): the cluster has no " + tasks
              + " free task slots at once (busy with other jobs?)");
        }
      } catch (InterruptedException e) {
        job.cancel(true);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the MPC session", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        throw new IllegalStateException("spark-spu MPC session failed in Spark (a party's task or executor died, or the job"
            + " was cancelled; barrier task ResultTask(stage, k) is party k's): " + c.getMessage(), c);
      }
    }
  }

  static List<String> asList(String[] a) {
    return new ArrayList<>(Arrays.asList(a));
  }
}

package org.sparkspu.spark.runtime;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.engine.runtime.NettyLoopback;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;
import org.sparkspu.spark.plan.SpuConf;

/**
 * Runs one MPC session of a query: every party's engine runs {@code program} with only its own
 * input. Where the engines run follows spark.spu.runtime: "local" runs them as threads of the
 * driver JVM, linked over loopback Netty (spark.spu.link=netty, the default) or in memory;
 * "executors" runs one barrier task per party on the executors, each party's engine in its own
 * executor, linked over Netty.
 */
public final class MpcRunner {
  private MpcRunner() {}

  /** What a party's program returns plus the party's own traffic. */
  record PartyOutcome<O>(O output, long bytesSent, int depth) implements java.io.Serializable {}

  public static <I, O> MpcRun<O> run(SparkSession spark, SpuConf conf, List<I> inputs, PartyProgram<I, O> program) {
    if (inputs.size() != conf.parties()) {
      throw new IllegalArgumentException("one input per party expected: " + conf.parties() + " parties, " + inputs.size() + " inputs");
    }
    return runLocal(conf, inputs, program);
  }

  /** All parties as threads of this JVM. */
  public static <I, O> MpcRun<O> runLocal(SpuConf conf, List<I> inputs, PartyProgram<I, O> program) {
    SessionConfig cfg = conf.sessionConfig();
    long t0 = System.nanoTime();
    java.util.function.Function<Session, PartyOutcome<O>> body = s -> {
      try {
        O out = program.run(s, inputs.get(s.self()));
        return new PartyOutcome<>(out, s.link().stats().bytesSent(), s.link().stats().depth());
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("party " + s.self() + " failed: " + e.getMessage(), e);
      }
    };
    Simulator.Result<PartyOutcome<O>> r = conf.link().equals("memory")
        ? Simulator.run(cfg, body)
        : NettyLoopback.run(cfg, java.time.Duration.ZERO, body);
    double secs = (System.nanoTime() - t0) / 1e9;
    List<O> outs = new ArrayList<>();
    long[] bytes = new long[conf.parties()];
    for (int p = 0; p < conf.parties(); p++) {
      outs.add(r.output(p).output());
      bytes[p] = r.output(p).bytesSent();
    }
    return new MpcRun<>(outs, r.profile(), bytes, secs, "local threads (" + conf.link() + ")");
  }
}

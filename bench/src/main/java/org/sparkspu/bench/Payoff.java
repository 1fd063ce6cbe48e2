package org.sparkspu.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.engine.compiler.CompiledProgram;
import org.sparkspu.engine.compiler.Compiler;
import org.sparkspu.engine.compiler.Eager;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.NettyLoopback;
import org.sparkspu.engine.runtime.SessionConfig;

/**
 * The compiler's payoff over a real network stack: the same 1000 independent secret scalar
 * multiplications run eagerly (1000 kernel calls, one round each) and compiled (merged into one
 * call), all parties on Netty loopback TCP with 1 ms added to every message. The eager loop is
 * timed once (about a second); the compiled run is the median of five.
 */
final class Payoff {
  private Payoff() {}

  static void run(boolean quick) {
    int k = 1000;
    Duration latency = Duration.ofMillis(1);
    for (SessionConfig cfg : List.of(SessionConfig.aby3(), SessionConfig.semi2k(2))) {
      var res = NettyLoopback.run(cfg, latency, s -> {
        Protocol p = s.protocol();
        long[] xs = new long[2 * k];
        for (int i = 0; i < xs.length; i++) xs[i] = i % 97 - 48;
        Share all = p.input(0, s.self() == 0 ? RingTensor.wrap(xs, Shape.vector(2 * k)) : null, Shape.vector(2 * k));
        List<Share> scalars = all.split(java.util.Collections.nCopies(2 * k, Shape.scalar()));
        Tracer t = new Tracer(s.fixedPoint());
        Map<String, Object> in = new HashMap<>();
        for (int i = 0; i < k; i++) {
          t.output("p" + i, t.secretInts("a" + i, Shape.scalar()).mul(t.secretInts("b" + i, Shape.scalar())));
          in.put("a" + i, scalars.get(2 * i));
          in.put("b" + i, scalars.get(2 * i + 1));
        }
        Eager e = new Eager(p, s.fixedPoint());
        List<Eager.Tensor> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          a.add(e.secret(scalars.get(2 * i), DType.INT));
          b.add(e.secret(scalars.get(2 * i + 1), DType.INT));
        }
        for (int i = 0; i < 20; i++) a.get(i).mul(b.get(i)); // warm-up (JIT, connection buffers)
        for (int w = 0; w < 5; w++) Compiler.compile(t.build(), p, s.fixedPoint()).run(in); // warm-up (JIT)

        CompilerBench.sync(p);
        s.profile().clear();
        long t0 = System.nanoTime();
        for (int i = 0; i < k; i++) a.get(i).mul(b.get(i));
        long eager = System.nanoTime() - t0;
        long eagerRounds = s.profile().total().rounds();

        long c0 = System.nanoTime();
        CompiledProgram cp = Compiler.compile(t.build(), p, s.fixedPoint());
        long compile = System.nanoTime() - c0;
        long[] runs = new long[5];
        for (int rep = 0; rep < runs.length; rep++) {
          CompilerBench.sync(p); // parties finish compiling at different times: start each run together
          s.profile().clear();
          long r0 = System.nanoTime();
          cp.run(in);
          runs[rep] = System.nanoTime() - r0;
        }
        java.util.Arrays.sort(runs);
        long run = runs[runs.length / 2];
        return new long[] {eager, compile, run, eagerRounds, s.profile().total().rounds(), cp.kernelCalls()};
      });
      long eager = 0, compile = 0, run = 0, eagerRounds = 0, compiledRounds = 0;
      for (long[] o : res.outputs()) {
        eager = Math.max(eager, o[0]);
        compile = Math.max(compile, o[1]);
        run = Math.max(run, o[2]);
        eagerRounds = Math.max(eagerRounds, o[3]);
        compiledRounds = Math.max(compiledRounds, o[4]);
      }
      Json.of("compiler").put("program", "payoff: " + k + " independent scalar mults, eager vs compiled")
          .put("protocol", cfg.protocol()).put("link", "netty loopback").put("added_latency_ms", latency.toMillis())
          .put("eager_seconds", eager / 1e9).put("compiled_seconds", run / 1e9).put("compile_seconds", compile / 1e9)
          .put("ratio", eager / (double) run).put("ratio_incl_compile", eager / (double) (run + compile))
          .put("eager_rounds", eagerRounds).put("compiled_rounds", compiledRounds)
          .put("merged_calls", res.output(0)[5]).put("pass_target_50x", eager / (double) run >= 50).print();
    }
  }
}

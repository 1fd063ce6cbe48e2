package org.sparkspu.bench;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.NettyLoopback;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * {@code bench/run engine}: throughput of the protocol kernels (mul, matmul, less-than, trunc,
 * reveal) in aby3 and semi2k, all parties as threads of one JVM, linked in memory ("sim") or by
 * real Netty TCP connections on loopback ("netty", {@link NettyLoopback} with no added latency).
 * Each line reports the measured rounds and bytes from the profile and whether the opened result
 * equals plaintext.
 */
public final class EngineBench implements BenchMain.Suite {
  private record Op(String name, Kernel kernel, BiFunction<Protocol, Share[], Share> body) {}

  /** How the parties are linked. */
  private enum Mode {
    SIM("sim"),
    NETTY("netty");

    final String label;

    Mode(String label) {
      this.label = label;
    }

    <T> Simulator.Result<T> run(SessionConfig cfg, Function<Session, T> program) {
      return switch (this) {
        case SIM -> Simulator.run(cfg, program);
        case NETTY -> NettyLoopback.run(cfg, Duration.ZERO, program);
      };
    }
  }

  private static final List<Op> OPS = List.of(
      new Op("mul", Kernel.MUL, (p, s) -> p.mul(s[0], s[1])),
      new Op("less-than", Kernel.LESS, (p, s) -> p.lessThan(s[0], s[1])),
      new Op("trunc", Kernel.TRUNC, (p, s) -> p.trunc(s[0], 18)),
      new Op("reveal", Kernel.REVEAL, null));

  @Override
  public void run(boolean quick) {
    int n = quick ? 1 << 20 : 1 << 24;
    List<SessionConfig> configs = List.of(SessionConfig.aby3(), SessionConfig.semi2k(2));
    int dim = quick ? 256 : 1000;
    for (Mode mode : Mode.values()) {
      for (SessionConfig cfg : configs) {
        warmUp(mode, cfg);
        for (Op op : OPS) elementwise(mode, cfg, op, n, true);
        matmul(mode, cfg, dim);
      }
    }
  }

  private void warmUp(Mode mode, SessionConfig cfg) {
    for (Op op : OPS) elementwise(mode, cfg, op, 1 << 14, false);
  }

  private void elementwise(Mode mode, SessionConfig cfg, Op op, int n, boolean print) {
    Random rnd = new Random(42);
    long[] x = new long[n], y = new long[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextLong() >> 22; // fixed-point products of encodable values stay far below 2^62
      y[i] = rnd.nextLong() >> 22;
    }
    Shape shape = Shape.vector(n);
    long[] timing = new long[1];
    var res = mode.run(cfg, s -> {
      Protocol p = s.protocol();
      Share a = p.input(0, s.self() == 0 ? RingTensor.wrap(x, shape) : null, shape);
      Share b = p.input(1, s.self() == 1 ? RingTensor.wrap(y, shape) : null, shape);
      s.profile().clear();
      long t0 = System.nanoTime();
      RingTensor out;
      if (op.body() == null) {
        out = p.reveal(a);
      } else {
        Share r = op.body().apply(p, new Share[] {a, b});
        long t1 = System.nanoTime();
        if (s.self() == 0) timing[0] = t1 - t0;
        Profile keep = new Profile();
        out = p.reveal(r);
        return out;
      }
      if (s.self() == 0) timing[0] = System.nanoTime() - t0;
      return out;
    });
    if (!print) return;
    Profile merged = res.profile();
    Profile.Entry e = merged.entry(profileName(op));
    long[] got = res.output(0).data();
    boolean correct = true;
    for (int i = 0; i < n && correct; i++) correct = got[i] == expected(op, x[i], y[i], got[i]);
    double seconds = timing[0] / 1e9;
    Cost declared = cfgCost(cfg, op.kernel(), n);
    Json.of("engine").put("protocol", cfg.protocol()).put("parties", cfg.parties()).put("op", op.name())
        .put("n", n).put("mode", mode.label).put("seconds", seconds).put("elements_per_s", n / seconds)
        .put("bytes_per_element_per_party", e.bytesSent() / (double) n / cfg.parties())
        .put("rounds", e.rounds()).put("declared_rounds", declared.rounds())
        .put("declared_bytes_match", declared.bytes() == e.bytesSent()).put("correct", correct).print();
  }

  private static String profileName(Op op) {
    return switch (op.name()) {
      case "less-than" -> "less";
      default -> op.name();
    };
  }

  private static long expected(Op op, long x, long y, long got) {
    return switch (op.name()) {
      case "mul" -> x * y;
      case "less-than" -> x < y ? 1 : 0;
      case "trunc" -> Math.abs(got - (x >> 18)) <= 1 ? got : x >> 18;
      default -> x;
    };
  }

  private static Cost cfgCost(SessionConfig cfg, Kernel k, long n) {
    var res = Simulator.run(cfg, s -> s.protocol().cost(k, n));
    return res.output(0);
  }

  private void matmul(Mode mode, SessionConfig cfg, int dim) {
    Random rnd = new Random(7);
    Shape shape = Shape.of(dim, dim);
    long[] a = new long[dim * dim], b = new long[dim * dim];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextInt(1 << 20) - (1 << 19);
      b[i] = rnd.nextInt(1 << 20) - (1 << 19);
    }
    RingTensor ta = RingTensor.wrap(a, shape), tb = RingTensor.wrap(b, shape);
    long[] timing = new long[1];
    var res = mode.run(cfg, s -> {
      Protocol p = s.protocol();
      Share x = p.input(0, s.self() == 0 ? ta : null, shape);
      Share y = p.input(1, s.self() == 1 ? tb : null, shape);
      s.profile().clear();
      long t0 = System.nanoTime();
      Share z = p.matmul(x, y);
      if (s.self() == 0) timing[0] = System.nanoTime() - t0;
      return p.reveal(z);
    });
    Profile.Entry e = res.profile().entry("matmul");
    boolean correct = res.output(0).equals(ta.matmul(tb));
    double seconds = timing[0] / 1e9;
    long elements = (long) dim * dim;
    Json.of("engine").put("protocol", cfg.protocol()).put("parties", cfg.parties()).put("op", "matmul")
        .put("n", dim + "x" + dim + "x" + dim).put("mode", mode.label).put("seconds", seconds)
        .put("elements_per_s", elements / seconds)
        .put("bytes_per_element_per_party", e.bytesSent() / (double) elements / cfg.parties())
        .put("rounds", e.rounds()).put("correct", correct).print();
  }
}

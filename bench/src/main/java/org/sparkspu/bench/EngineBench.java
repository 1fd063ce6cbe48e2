package org.sparkspu.bench;

import java.time.Duration;
import java.util.Arrays;
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
 * reveal) in aby3 and semi2k, with all parties as threads of one JVM over in-memory links ("sim")
 * and over real Netty TCP links on loopback ("netty"). Each line runs one session: three warm-up calls at full size (so the
 * JIT has compiled the loops), then five timed calls; it reports the median time, the rounds and
 * bytes the profile measured against the kernel's declared cost, and whether the opened result
 * equals plaintext.
 */
public final class EngineBench implements BenchMain.Suite {
  private static final int REPS = 5;
  private static final int WARMUPS = 3;

  /** How the parties are run: all as threads over in-memory links ("sim"), or over real links. */
  interface Runner {
    <T> Simulator.Result<T> run(SessionConfig cfg, Function<Session, T> program);
  }

  private record Mode(String name, Runner runner) {}

  private record Op(String name, Kernel kernel, String profileName, BiFunction<Protocol, Share[], Share> body) {}

  private static final List<Op> OPS = List.of(
      new Op("mul", Kernel.MUL, "mul", (p, s) -> p.mul(s[0], s[1])),
      new Op("less-than", Kernel.LESS, "less", (p, s) -> p.lessThan(s[0], s[1])),
      new Op("trunc", Kernel.TRUNC, "trunc", (p, s) -> p.trunc(s[0], 18)),
      new Op("reveal", Kernel.REVEAL, "reveal", null));

  private final List<Mode> modes = List.of(new Mode("sim", Simulator::run), new Mode("netty", EngineBench::overNetty));

  /** All parties as threads of this JVM, linked by real Netty TCP connections on loopback. */
  private static <T> Simulator.Result<T> overNetty(SessionConfig cfg, Function<Session, T> program) {
    return NettyLoopback.run(cfg, Duration.ZERO, program);
  }

  @Override
  public void run(boolean quick) {
    int n = quick ? 1 << 20 : 1 << 24;
    int dim = quick ? 256 : 1000;
    for (Mode mode : modes) {
      for (SessionConfig cfg : List.of(SessionConfig.aby3(), SessionConfig.semi2k(2))) {
        for (Op op : OPS) elementwise(mode, cfg, op, n);
        matmul(mode, cfg, dim);
      }
    }
  }

  private record Timed(RingTensor result, long medianNanos, Profile.Entry entry, Cost declared) {}

  /** One kernel call on prepared inputs: returns the secret result. */
  private interface KernelCall {
    Share apply(Protocol p, Share[] inputs);
  }

  /**
   * In one session: shares x (from party 0) and y (from party 1), calls the kernel WARMUPS times
   * to warm up and REPS times timed (inputs and the final reveal are outside the timed region), and
   * returns the opened last result, the median time and the kernel's measured profile entry.
   */
  private static Simulator.Result<Timed> timed(Mode mode, SessionConfig cfg, RingTensor x, RingTensor y,
      String profileName, Kernel kernel, long[] costDims, KernelCall call) {
    return mode.runner().run(cfg, s -> {
      Protocol p = s.protocol();
      Share[] in = {
          p.input(0, s.self() == 0 ? x : null, x.shape()),
          p.input(1, s.self() == 1 ? y : null, y.shape())};
      for (int w = 0; w < WARMUPS; w++) call.apply(p, in);
      long[] nanos = new long[REPS];
      Share out = null;
      Profile.Entry entry = null;
      for (int r = 0; r < REPS; r++) {
        s.profile().clear();
        long t0 = System.nanoTime();
        out = call.apply(p, in);
        nanos[r] = System.nanoTime() - t0;
        entry = s.profile().entry(profileName);
      }
      Arrays.sort(nanos);
      RingTensor opened = out == null ? p.reveal(in[0]) : p.reveal(out);
      return new Timed(opened, nanos[REPS / 2], entry, p.cost(kernel, costDims));
    });
  }

  private static void elementwise(Mode mode, SessionConfig cfg, Op op, int n) {
    Random rnd = new Random(42);
    long[] x = new long[n], y = new long[n];
    // Products of fixed-point values below 2^8 in magnitude (f = 18): |x| < 2^44. Truncation's
    // probabilistic large error has probability ~|x|/2^63 per element (SecureML/ABY3), so trunc is
    // measured on |x| < 2^36 (products of values below 1), where a 2^20 run almost never hits it.
    int shift = op.kernel() == Kernel.TRUNC ? 28 : 20;
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextLong() >> shift;
      y[i] = rnd.nextLong() >> shift;
    }
    Shape shape = Shape.vector(n);
    KernelCall call = op.body() == null
        ? (p, in) -> {
          p.reveal(in[0]);
          return null;
        }
        : (p, in) -> op.body().apply(p, in);
    var res = timed(mode, cfg, RingTensor.wrap(x, shape), RingTensor.wrap(y, shape), op.profileName(), op.kernel(),
        new long[] {n}, call);
    report(mode, cfg, op.name(), String.valueOf(n), n, res, correct(op, x, y, res.output(0).result().data()));
  }

  private static boolean correct(Op op, long[] x, long[] y, long[] got) {
    for (int i = 0; i < x.length; i++) {
      boolean ok = switch (op.name()) {
        case "mul" -> got[i] == x[i] * y[i];
        case "less-than" -> got[i] == (x[i] < y[i] ? 1 : 0);
        case "trunc" -> Math.abs(got[i] - (x[i] >> 18)) <= 1;
        default -> got[i] == x[i];
      };
      if (!ok) return false;
    }
    return true;
  }

  private static void matmul(Mode mode, SessionConfig cfg, int dim) {
    Random rnd = new Random(7);
    Shape shape = Shape.of(dim, dim);
    long[] a = new long[dim * dim], b = new long[dim * dim];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextInt(1 << 20) - (1 << 19);
      b[i] = rnd.nextInt(1 << 20) - (1 << 19);
    }
    RingTensor ta = RingTensor.wrap(a, shape), tb = RingTensor.wrap(b, shape);
    var res = timed(mode, cfg, ta, tb, "matmul", Kernel.MATMUL, new long[] {dim, dim, dim},
        (p, in) -> p.matmul(in[0], in[1]));
    boolean correct = res.output(0).result().equals(ta.matmul(tb));
    report(mode, cfg, "matmul", dim + "x" + dim + "x" + dim, (long) dim * dim, res, correct);
  }

  private static void report(Mode mode, SessionConfig cfg, String op, String n, long elements,
      Simulator.Result<Timed> res, boolean correct) {
    long nanos = 0, bytes = 0, rounds = 0;
    for (Timed t : res.outputs()) {
      nanos = Math.max(nanos, t.medianNanos());
      bytes += t.entry().bytesSent();
      rounds = Math.max(rounds, t.entry().rounds());
    }
    Cost declared = res.output(0).declared();
    double seconds = nanos / 1e9;
    Json.of("engine").put("protocol", cfg.protocol()).put("parties", cfg.parties()).put("op", op).put("n", n)
        .put("mode", mode.name()).put("seconds", seconds).put("elements_per_s", elements / seconds)
        .put("bytes_per_element_per_party", bytes / (double) elements / cfg.parties()).put("rounds", rounds)
        .put("declared_rounds", declared.rounds()).put("declared_bytes", declared.bytes()).put("measured_bytes", bytes)
        .put("correct", correct).print();
  }
}

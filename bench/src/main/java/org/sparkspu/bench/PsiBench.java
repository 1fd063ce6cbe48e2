package org.sparkspu.bench;

import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.sparkspu.engine.psi.Psi;
import org.sparkspu.engine.psi.PsiOptions;
import org.sparkspu.engine.psi.PsiResult;
import org.sparkspu.engine.runtime.NettyLoopback;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * {@code bench/run psi}: two-party ECDH-PSI with both parties as threads of this JVM over Netty TCP
 * on loopback (so on a 2-core box the two parties share the 2 cores). Quick: 2^16 x 2^16 keys, 50%
 * overlap; full: also 2^20 x 2^20. Keys are 16 random bytes. Each line is one run after a 2^12
 * warm-up run: wall time from the first message to both results, payload bytes sent per party
 * (the larger of the two), and whether both parties' aligned matches equal the planted
 * intersection. The box may be shared: the line carries the 1-minute load average at its end. It also reports a single-thread X25519 scalar multiplication time measured
 * beforehand, the cost that bounds the run: each party computes n_a + n_b of them.
 *
 * <p>For exploration, system properties override the defaults: psi.threads (per party), psi.batch,
 * psi.h2c=nu (encode_to_curve), psi.n (one size instead of the suite's).
 */
public final class PsiBench implements BenchMain.Suite {
  private static final SessionConfig CFG = SessionConfig.semi2k(2).withTimeout(Duration.ofMinutes(10));

  @Override
  public void run(boolean quick) {
    double usPerMult = scalarMultMicros();
    System.err.printf("X25519 scalar multiplication: %.1f us (one thread)%n", usPerMult);
    once(1 << 12, 0.5, usPerMult, false); // warm-up: JIT-compiles the kernels
    List<Integer> sizes = quick ? List.of(1 << 16) : List.of(1 << 16, 1 << 20);
    if (System.getProperty("psi.n") != null) sizes = List.of(Integer.getInteger("psi.n"));
    for (int n : sizes) once(n, 0.5, usPerMult, true);
  }

  /** Median of 5 runs of 2000 scalar multiplications after a warm-up, in microseconds. */
  static double scalarMultMicros() {
    SecureRandom r = new SecureRandom();
    byte[] k = new byte[32], u = new byte[32];
    r.nextBytes(k);
    u[0] = 9;
    for (int i = 0; i < 30000; i++) X25519.scalarMult(k, 0, u, 0, u, 0); // each result feeds the next; C2 needs ~10^4 calls
    double[] runs = new double[5];
    for (int rep = 0; rep < runs.length; rep++) {
      long t = System.nanoTime();
      for (int i = 0; i < 2000; i++) X25519.scalarMult(k, 0, u, 0, u, 0);
      runs[rep] = (System.nanoTime() - t) / 1e3 / 2000;
    }
    Arrays.sort(runs);
    return runs[runs.length / 2];
  }

  private void once(int n, double overlap, double usPerMult, boolean print) {
    int common = (int) Math.round(n * overlap);
    Random rnd = new Random(n);
    List<byte[]> a = new ArrayList<>(n), b = new ArrayList<>(n);
    for (int i = 0; i < common; i++) {
      byte[] k = key(rnd);
      a.add(k);
      b.add(k.clone());
    }
    while (a.size() < n) a.add(key(rnd));
    while (b.size() < n) b.add(key(rnd));
    java.util.Collections.shuffle(a, rnd);
    java.util.Collections.shuffle(b, rnd);
    PsiOptions base = PsiOptions.defaults().withSessionId("bench-" + n)
        .withParallelism(Integer.getInteger("psi.threads", Runtime.getRuntime().availableProcessors()))
        .withBatchSize(Integer.getInteger("psi.batch", PsiOptions.DEFAULT_BATCH_SIZE));
    PsiOptions options = "nu".equals(System.getProperty("psi.h2c"))
        ? base.withHashToCurve(PsiOptions.HashToCurve.NONUNIFORM) : base;

    long t0 = System.nanoTime();
    Simulator.Result<PsiResult> res = NettyLoopback.run(CFG, Duration.ZERO,
        s -> Psi.run(s.link(), 1 - s.self(), s.self() == 0 ? a : b, options));
    double wall = (System.nanoTime() - t0) / 1e9;
    PsiResult ra = res.output(0), rb = res.output(1);
    boolean correct = correct(a, b, ra, rb, common);
    if (!print) return;
    PsiResult.Stats sa = ra.stats(), sb = rb.stats();
    Json.of("psi").put("link", "netty").put("n", n).put("overlap", overlap).put("intersection", ra.size())
        .put("seconds", Math.max(sa.seconds(), sb.seconds())).put("wall_seconds", wall)
        .put("bytes_per_party", Math.max(sa.bytesSent(), sb.bytesSent())).put("correct", correct)
        .put("scalar_mults_per_party", sa.scalarMults()).put("us_per_scalar_mult", usPerMult)
        .put("threads_per_party", options.parallelism()).put("cores", Runtime.getRuntime().availableProcessors())
        .put("batch", options.batchSize()).put("hash_to_curve", options.hashToCurve().suite())
        .put("leader_hash_blind_s", sa.ownNanos() / 1e9).put("leader_reblind_s", sa.peerNanos() / 1e9)
        .put("leader_match_s", sa.matchNanos() / 1e9).put("leader_wait_s", sa.waitNanos() / 1e9)
        .put("follower_wait_s", sb.waitNanos() / 1e9)
        .put("load_avg", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()).print();
  }

  private static byte[] key(Random rnd) {
    byte[] k = new byte[16];
    rnd.nextBytes(k);
    return k;
  }

  /** Both sizes equal the planted overlap, and every aligned pair holds equal keys. */
  private static boolean correct(List<byte[]> a, List<byte[]> b, PsiResult ra, PsiResult rb, int common) {
    if (ra.size() != common || rb.size() != common) return false;
    int[] x = ra.rows(), y = rb.rows();
    for (int k = 0; k < x.length; k++) if (!Arrays.equals(a.get(x[k]), b.get(y[k]))) return false;
    return Arrays.stream(x).distinct().count() == common && Arrays.stream(y).distinct().count() == common;
  }
}

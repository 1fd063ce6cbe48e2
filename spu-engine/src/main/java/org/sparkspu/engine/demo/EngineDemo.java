package org.sparkspu.engine.demo;

import java.util.List;
import java.util.Locale;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * The engine demo: all parties as threads of this JVM. Party 0 holds eight account balances,
 * party 1 holds eight risk weights, and the last party holds a threshold. Together they compute
 * the weighted exposure (a fixed-point dot product) and which balances are below the threshold,
 * revealing only those results. Runs in aby3 (3 parties) and semi2k (2 parties; party 1 also holds
 * the threshold), printing each result beside plaintext and the per-kernel profile.
 */
public final class EngineDemo {
  private static final double[] BALANCES = {1250.50, -310.25, 98000.0, 15.75, 4200.0, -0.5, 777.77, 123456.0};
  private static final double[] WEIGHTS = {0.10, 0.95, 0.02, 1.50, 0.33, 2.00, 0.25, 0.01};
  private static final double THRESHOLD = 1000.0;

  private EngineDemo() {}

  private record Outcome(double exposure, long[] below) {}

  public static void main(String[] args) {
    run(SessionConfig.aby3());
    run(SessionConfig.semi2k(2));
  }

  private static void run(SessionConfig cfg) {
    int n = BALANCES.length;
    int thresholdOwner = cfg.parties() - 1;
    var result = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      FixedPoint fxp = s.fixedPoint();
      int f = fxp.fractionBits();
      // Each party inputs only its own data; nobody else ever sees it in plaintext. The three
      // owners' inputs travel in one exchange.
      Shape row = Shape.of(1, n), column = Shape.of(n, 1);
      List<Share> in = p.inputs(new int[] {0, 1, thresholdOwner},
          new RingTensor[] {
              s.self() == 0 ? fxp.encode(BALANCES).reshape(row) : null,
              s.self() == 1 ? fxp.encode(WEIGHTS).reshape(column) : null,
              s.self() == thresholdOwner ? RingTensor.fill(row, fxp.encode(THRESHOLD)) : null},
          new Shape[] {row, column, row});
      Share balances = in.get(0), weights = in.get(1), threshold = in.get(2);
      Share exposure = p.trunc(p.matmul(balances, weights), f); // fixed-point product: rescale by 2^f
      Share below = p.lessThan(balances, threshold);
      return new Outcome(fxp.decode(p.reveal(exposure).get(0)), p.reveal(below).data());
    });
    Outcome o = result.output(0);
    FixedPoint fxp = new FixedPoint(cfg.fractionBits());
    double plainExposure = 0, plainOfEncoded = 0;
    for (int i = 0; i < n; i++) {
      plainExposure += BALANCES[i] * WEIGHTS[i];
      plainOfEncoded += fxp.decode(fxp.encode(BALANCES[i])) * fxp.decode(fxp.encode(WEIGHTS[i]));
    }
    System.out.printf(Locale.ROOT, "%n=== %s, %d parties (all in this JVM) ===%n", cfg.protocol(), cfg.parties());
    System.out.printf(Locale.ROOT, "weighted exposure  secure: %.6f%n", o.exposure());
    System.out.printf(Locale.ROOT, "  plaintext, same %d-bit fixed-point inputs: %.6f   |diff| %.1e (truncation, <= 2^-%d)%n",
        cfg.fractionBits(), plainOfEncoded, Math.abs(o.exposure() - plainOfEncoded), cfg.fractionBits());
    System.out.printf(Locale.ROOT, "  plaintext, doubles:                        %.6f   |diff| %.1e (input encoding of 0.10 etc.)%n",
        plainExposure, Math.abs(o.exposure() - plainExposure));
    StringBuilder secure = new StringBuilder(), plain = new StringBuilder();
    boolean same = true;
    for (int i = 0; i < n; i++) {
      long want = BALANCES[i] < THRESHOLD ? 1 : 0;
      secure.append(o.below()[i]).append(' ');
      plain.append(want).append(' ');
      same &= want == o.below()[i];
    }
    System.out.printf("balance < %.0f     secure: %s  plaintext: %s  %s%n", THRESHOLD, secure, plain, same ? "(equal)" : "(DIFFERENT)");
    Profile merged = result.profile();
    System.out.println("profile (bytes summed over parties; rounds on the critical path):");
    System.out.print(merged.table());
  }
}

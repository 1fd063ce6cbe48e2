package org.sparkspu.engine.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.hal.WideDivision.Quotient;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/**
 * {@link WideDivision} against exact BigInteger/BigDecimal division on edge and random inputs, in
 * ref2k, semi2k (2 and 3 parties) and aby3: the opened quotient must be exactly the true quotient
 * truncated to K significant bits (so its relative error is below 2^-(K-1)); decimal scaling must
 * give Spark's HALF_UP result; only the declared opening reaches anyone, at the declared cost.
 */
class WideDivisionTest {
  static final long MAX = (1L << 62) - 1;

  static Stream<SessionConfig> configs() {
    return Stream.of(SessionConfig.of("ref2k", 3), SessionConfig.semi2k(2), SessionConfig.semi2k(3), SessionConfig.aby3());
  }

  /** Edge pairs (N, D) plus random ones of every magnitude. */
  static long[][] cases(long seed, int random) {
    long[] ns = {0, 1, -1, MAX, -MAX, 2, 3, -7, 1L << 40, (1L << 41) + 12345, 999_999_999_999L, -123_456_789_012_345L};
    long[] ds = {1, 1L << 40, MAX, 3, 7, 10};
    List<long[]> out = new ArrayList<>();
    for (long n : ns) for (long d : ds) out.add(new long[] {n, d});
    out.add(new long[] {5, 5});              // N == D
    out.add(new long[] {-5, 5});
    out.add(new long[] {4, 5});              // N < D
    out.add(new long[] {MAX, MAX});
    out.add(new long[] {MAX - 1, MAX});
    Random r = new Random(seed);
    for (int i = 0; i < random; i++) {
      long n = r.nextLong() >> (2 + r.nextInt(61));
      long d = Math.max(1, (r.nextLong() >>> (2 + r.nextInt(61))));
      out.add(new long[] {n, d});
    }
    return out.toArray(new long[0][]);
  }

  /** The exact quotient |N| 5^t / D truncated to K bits (or |N| / D when |N| 5^t >= 2^62), as decode() should give it. */
  static Quotient expected(long num, long den, int bits, int pow10) {
    if (num == 0) return new Quotient(false, 0, 0, 0);
    BigInteger a = BigInteger.valueOf(num).abs();
    BigInteger five = BigInteger.valueOf(5).pow(pow10);
    boolean exact = a.multiply(five).compareTo(BigInteger.ONE.shiftLeft(62)) < 0;
    if (exact) a = a.multiply(five);
    BigInteger d = BigInteger.valueOf(den);
    int e = a.bitLength() - d.bitLength(); // floor(log2(a/d)) is e or e - 1
    if (shift(a, -e).compareTo(d) < 0) e--;
    int exp = e - bits + 1;
    BigInteger m = exp >= 0 ? a.divide(d.shiftLeft(exp)) : a.shiftLeft(-exp).divide(d);
    return new Quotient(num < 0, m.longValueExact(), exp + pow10, exact ? 0 : pow10);
  }

  private static BigInteger shift(BigInteger x, int left) {
    return left >= 0 ? x.shiftLeft(left) : x.shiftRight(-left);
  }

  record Run(Quotient[] q, Profile profile) {}

  static Run run(SessionConfig cfg, long[][] cs, int[] bits, int[] pow10) {
    int n = cs.length;
    long[] num = new long[n], den = new long[n];
    for (int i = 0; i < n; i++) {
      num[i] = cs[i][0];
      den[i] = cs[i][1];
    }
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      int last = s.parties() - 1;
      List<Share> in = p.inputs(new int[] {0, last},
          new RingTensor[] {s.self() == 0 ? RingTensor.vector(num) : null, s.self() == last ? RingTensor.vector(den) : null},
          new Shape[] {Shape.vector(n), Shape.vector(n)});
      s.profile().clear();
      WideDivision wd = new WideDivision(p);
      WideDivision.Pending pd = wd.start(in.get(0), in.get(1), bits, pow10);
      return pd.decode(p.reveal(pd.packed()));
    });
    return new Run(res.output(0), res.profile());
  }

  @ParameterizedTest
  @MethodSource("configs")
  void quotientIsTheExactQuotientTruncatedToKBits(SessionConfig cfg) {
    long[][] cs = cases(11, 40);
    int n = cs.length;
    int[] bits = new int[n], pow10 = new int[n];
    for (int i = 0; i < n; i++) bits[i] = i % 7 == 3 ? 62 : i % 11 == 5 ? 1 : WideDivision.DEFAULT_BITS;
    Run r = run(cfg, cs, bits, pow10);
    for (int i = 0; i < n; i++) {
      Quotient want = expected(cs[i][0], cs[i][1], bits[i], 0);
      assertEquals(want, r.q()[i], cfg.protocol() + " " + cs[i][0] + " / " + cs[i][1] + " at " + bits[i] + " bits");
      BigDecimal exact = new BigDecimal(cs[i][0]).divide(new BigDecimal(cs[i][1]), MathContext.DECIMAL128);
      BigDecimal got = r.q()[i].exact();
      if (cs[i][0] == 0) {
        assertEquals(0, got.signum());
      } else {
        double rel = exact.subtract(got).abs().divide(exact.abs(), MathContext.DECIMAL64).doubleValue();
        assertTrue(rel < Math.scalb(1.0, -(bits[i] - 1)), cfg.protocol() + " relative error " + rel);
        if (bits[i] >= WideDivision.DEFAULT_BITS) {
          assertTrue(rel < Math.scalb(1.0, -38));
          assertEquals(exact.doubleValue(), r.q()[i].toDouble(), Math.abs(exact.doubleValue()) * Math.scalb(1.0, -38));
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void decimalScalingGivesSparksHalfUpAverage(SessionConfig cfg) {
    Random rnd = new Random(5);
    List<long[]> list = new ArrayList<>();
    // sums at scale 2 over counts: exact HALF_UP average at scale 6 (t = 4), including exact ties
    list.add(new long[] {1, 8});            // 0.01 / 8 = 0.00125 -> 0.001250
    list.add(new long[] {-1, 16});          // -0.000625
    list.add(new long[] {1, 32});           // 0.0003125 -> tie at 6 places: HALF_UP 0.000313
    list.add(new long[] {-1, 32});          // -0.000313
    list.add(new long[] {2, 3});
    list.add(new long[] {0, 5});
    list.add(new long[] {MAX, 1});          // |N| 5^4 >= 2^62: falls back to K-bit |N| / D times 10^4
    list.add(new long[] {-MAX / 3, 7});
    list.add(new long[] {5_720_000_000_000L, 1_478_493});  // TPC-H-sized price sum and count
    for (int i = 0; i < 30; i++) list.add(new long[] {rnd.nextLong() % (1L << 52), 1 + rnd.nextInt(1 << 23)});
    long[][] cs = list.toArray(new long[0][]);
    int n = cs.length;
    int[] bits = new int[n], pow10 = new int[n];
    java.util.Arrays.fill(bits, 55);
    java.util.Arrays.fill(pow10, 4);
    Run r = run(cfg, cs, bits, pow10);
    for (int i = 0; i < n; i++) {
      assertEquals(expected(cs[i][0], cs[i][1], 55, 4), r.q()[i], cfg.protocol() + " " + cs[i][0] + " / " + cs[i][1]);
      BigDecimal avg = new BigDecimal(BigInteger.valueOf(cs[i][0]), 2).divide(new BigDecimal(cs[i][1]), 6, RoundingMode.HALF_UP);
      BigDecimal got = r.q()[i].round(0, RoundingMode.HALF_UP).movePointLeft(6);
      boolean fallback = BigInteger.valueOf(cs[i][0]).abs().multiply(BigInteger.valueOf(625)).bitLength() > 62;
      if (!fallback) assertEquals(avg, got, cfg.protocol() + " avg of " + cs[i][0] + " / " + cs[i][1]);
      else assertEquals(avg.doubleValue(), got.doubleValue(), Math.abs(avg.doubleValue()) * 1e-15);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void exactTruncation(SessionConfig cfg) {
    long[] xs = {0, 1, -1, 5, -5, MAX, -MAX, 1L << 40, -(1L << 40) - 1, 123456789, -987654321};
    int[] ds = {0, 1, 9, 18, 40};
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Share x = p.input(0, s.self() == 0 ? RingTensor.vector(xs) : null, Shape.vector(xs.length));
      WideDivision wd = new WideDivision(p);
      List<long[]> out = new ArrayList<>();
      for (int d : ds) out.add(p.reveal(wd.truncateExact(x, d)).data());
      return out;
    });
    for (int k = 0; k < ds.length; k++) {
      for (int i = 0; i < xs.length; i++) assertEquals(xs[i] >> ds[k], res.output(0).get(k)[i], cfg.protocol() + " " + xs[i] + " >> " + ds[k]);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void onlyTheDeclaredOpeningReachesOnlyTheReceiver(SessionConfig cfg) {
    long[][] cs = cases(3, 4);
    int n = cs.length;
    long[] num = new long[n], den = new long[n];
    for (int i = 0; i < n; i++) {
      num[i] = cs[i][0];
      den[i] = cs[i][1];
    }
    int receiver = 1;
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      Share a = p.input(0, s.self() == 0 ? RingTensor.vector(num) : null, Shape.vector(n));
      Share b = p.input(0, s.self() == 0 ? RingTensor.vector(den) : null, Shape.vector(n));
      s.profile().clear();
      Quotient[] q = new WideDivision(p).divideTo(a, b, 40, receiver);
      Profile mine = Profile.merge(List.of(s.profile()));
      // declared: the division plus an opening to everyone; this run opens to one party instead
      Cost declared = WideDivision.cost(p, n, 40, false);
      Cost declaredOpening = p.cost(Kernel.REVEAL, 2L * n);
      return new Object[] {q, mine, new Cost(declared.rounds() - declaredOpening.rounds(), 0)};
    });
    Cost declared = (Cost) res.output(0)[2];
    List<Profile> perParty = new ArrayList<>();
    for (int party = 0; party < cfg.parties(); party++) {
      Object[] o = res.output(party);
      if (party == receiver) {
        assertNotNull(o[0]);
        Quotient[] q = (Quotient[]) o[0];
        for (int i = 0; i < n; i++) assertEquals(expected(num[i], den[i], 40, 0), q[i]);
      } else {
        assertNull(o[0], "party " + party + " must get nothing");
      }
      perParty.add((Profile) o[1]);
    }
    Profile merged = Profile.merge(perParty);
    // nothing is opened except the one declared reveal_to of 2n words (mantissa and meta per quotient)
    Set<String> allowed = Set.of("a2b", "and", "bit_b2a", "mul", "reveal_to");
    for (Profile.Entry e : merged.entries()) assertTrue(allowed.contains(e.kernel()), cfg.protocol() + " unexpected kernel " + e.kernel());
    if (!cfg.protocol().equals("ref2k")) {
      assertEquals(1, merged.entry("reveal_to").calls());
      assertEquals(2L * n, merged.entry("reveal_to").elements());
    }
    Profile.Entry total = merged.total();
    long openingRounds = merged.entry("reveal_to") == null ? 0 : merged.entry("reveal_to").rounds();
    assertEquals(declared.rounds(), total.rounds() - openingRounds, cfg.protocol() + " rounds before the opening");
    if (Boolean.getBoolean("wide.report")) System.err.println(cfg.protocol() + " " + cfg.parties() + " parties: " + total.rounds() + " rounds\n" + merged.table());
  }

  @Test
  void declaredCostMatchesTheMeasuredProfile() {
    for (SessionConfig cfg : List.of(SessionConfig.semi2k(2), SessionConfig.aby3())) {
      long[][] cs = cases(9, 10);
      int n = cs.length;
      int[] bits = new int[n], pow10 = new int[n];
      java.util.Arrays.fill(bits, 40);
      Run r = run(cfg, cs, bits, pow10);
      Cost declared = Simulator.run(cfg, s -> WideDivision.cost(s.protocol(), n, 40, false)).output(0);
      assertEquals(declared.rounds(), r.profile().total().rounds(), cfg.protocol() + " rounds");
      assertEquals(declared.bytes(), r.profile().total().bytesSent(), cfg.protocol() + " bytes");
      java.util.Arrays.fill(pow10, 4);
      Run r2 = run(cfg, cs, bits, pow10);
      Cost declared2 = Simulator.run(cfg, s -> WideDivision.cost(s.protocol(), n, 40, true)).output(0);
      assertEquals(declared2.rounds(), r2.profile().total().rounds(), cfg.protocol() + " rounds (scaled)");
      assertEquals(declared2.bytes(), r2.profile().total().bytesSent(), cfg.protocol() + " bytes (scaled)");
    }
  }
}

package org.sparkspu.engine.hal;

import static org.sparkspu.engine.hal.BoolWords.oneHot;
import static org.sparkspu.engine.hal.BoolWords.prefixOr;
import static org.sparkspu.engine.hal.BoolWords.shl;
import static org.sparkspu.engine.hal.BoolWords.shr;
import static org.sparkspu.engine.hal.BoolWords.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Fixed-point arithmetic and approximations on secret shares, built from the {@link Protocol}
 * kernels only (SPU's hal/fxp_approx.cc is the reference; NOTES.md lists its defaults). A value x
 * is stored as round(x * 2^f); every function takes and returns arithmetic shares of that encoding
 * and accepts any shape.
 *
 * <p>Each function is oblivious (its kernel sequence depends on shapes only) and issues every set
 * of independent products as ONE multiplication exchange followed by ONE truncation exchange, so
 * its rounds are its multiplicative depth. The rounds and bytes of every function are therefore
 * exactly what {@link FxpCost} derives from the protocol's declared kernel costs.
 *
 * <p>Truncation is probabilistic (SecureML, Mohassel-Zhang S&P'17; ABY3 Pi_trunc1): it is off by
 * at most one unit in the last place, and fails with probability about |v| / 2^64 for a product v
 * before truncation. The functions below keep every product near 2^(2f) (normalised operands,
 * integer multipliers without truncation for large scale factors), so that probability stays
 * below 2^-25 per element in the documented ranges.
 *
 * <p>Each function documents its valid input range and what it returns outside: a clamp or a
 * fixed value, never wrapped garbage.
 */
public final class Fxp {
  /** Goldschmidt's initial guess for 1/c on c in [0.5, 1]: 2.9142 - 2c (SPU), |1 - c r0| <= 0.0858. */
  static final double GOLDSCHMIDT_A = 2.9142;
  /** Goldschmidt iterations (SPU's default): relative error 0.0858^4 = 5.4e-5 before rounding. */
  static final int GOLDSCHMIDT_ITERATIONS = 2;
  /** SPU's Taylor exp: (1 + x/2^n)^(2^n) with n = 8. */
  static final int TAYLOR_SQUARINGS = 8;
  /** Upper clamp of the Taylor exp: keeps the last square's product under 2^48 (failure < 2^-16). */
  static final double TAYLOR_MAX = 8;
  /** Largest power of two of the wide exp: saturates at 2^32 = e^22.18. */
  static final int WIDE_MAX_POW = 32;
  /** Sigmoid: |x| is clamped to 32 (sigmoid(32) = 1 - 1.3e-14) and e^-|x| = q(-|x|/32)^32. */
  static final int SIGMOID_SQUARINGS = 5;

  private static final double LN2 = Math.log(2);
  /** 2^phi on [0, 1], degree 5: relative error 1.0e-7. */
  private static final double[] EXP2 = Poly.chebyshevFit(v -> Math.pow(2, v), 0, 1, 5);
  /** (log(1+t) - t + t^2/2) / t^3 on [-1/4, 1/2], degree 4: log(1+t) to 3e-6 relative. */
  private static final double[] LOG_R = Poly.chebyshevFit(Fxp::logRemainder, -0.25, 0.5, 4);
  /** 1/sqrt(m) on [1/4, 1], degree 4 (2.7e-3 relative), refined by one Newton step to about 1e-5. */
  private static final double[] RSQRT = Poly.chebyshevFit(v -> 1 / Math.sqrt(v), 0.25, 1, 4);

  private final Protocol p;
  private final FixedPoint fp;
  private final int f;

  public Fxp(Protocol protocol, FixedPoint fixedPoint) {
    this.p = protocol;
    this.fp = fixedPoint;
    this.f = fixedPoint.fractionBits();
    if (f < 8 || f > 20) {
      throw new IllegalArgumentException("the fixed-point library is tuned for 8 <= f <= 20 fraction bits in a 64-bit ring, got " + f);
    }
  }

  public Protocol protocol() {
    return p;
  }

  public FixedPoint fixedPoint() {
    return fp;
  }

  /** Dispatches a complex function (the compiler's CISC unit). */
  public Share apply(Fn fn, Share... args) {
    if (args.length != fn.arity()) throw new IllegalArgumentException(fn.label() + " takes " + fn.arity() + " operands");
    return fn.apply(this, args);
  }

  // ---------------------------------------------------------------------------------------------
  // arithmetic

  /** Fixed-point product: ring product, then truncation by f. Valid while |a*b| < 2^(62-2f). */
  public Share mul(Share a, Share b) {
    return p.trunc(p.mul(a, b), f);
  }

  /** Divides the encoding by 2^f (after a ring product of two fixed-point values). */
  public Share truncate(Share a) {
    return p.trunc(a, f);
  }

  /** |x| = x (1 - 2 msb(x)): one comparison, one product. Exact. */
  public Share abs(Share x) {
    Share s = p.msb(x);
    return p.mul(x, plus(times(s, -2), 1));
  }

  /** max(a, b) = b + [b < a] (a - b): one comparison, one product. Exact. */
  public Share max(Share a, Share b) {
    Share c = p.lessThan(b, a);
    return p.add(b, p.mul(c, p.sub(a, b)));
  }

  /** min(a, b) = b + [a < b] (a - b). Exact. */
  public Share min(Share a, Share b) {
    Share c = p.lessThan(a, b);
    return p.add(b, p.mul(c, p.sub(a, b)));
  }

  /** Clamps fixed-point x to [lo, hi]. Exact. */
  public Share clamp(Share x, double lo, double hi) {
    return clampEncoded(x, fp.encode(lo, "clamp lower bound", 0), fp.encode(hi, "clamp upper bound", 0));
  }

  /**
   * Clamps an encoded x to [lo, hi] (encodings, any scale): both comparisons in one vectorised
   * less-than, then x (1 - a - b) + a lo + b hi with a = [x < lo], b = [hi < x]: one product.
   */
  public Share clampEncoded(Share x0, long lo, long hi) {
    if (lo > hi) throw new IllegalArgumentException("clamp bounds are reversed");
    Shape shape = x0.shape();
    Share x = flat(x0);
    int n = x.size();
    List<Share> ab = split(p.lessThan(Share.concat(List.of(x, pub(n, hi))), Share.concat(List.of(pub(n, lo), x))), 2, n);
    Share a = ab.get(0), b = ab.get(1);
    Share g = plus(p.neg(p.add(a, b)), 1);
    return p.add(p.mul(x, g), p.add(times(a, lo), times(b, hi))).reshape(shape);
  }

  // ---------------------------------------------------------------------------------------------
  // reciprocal and division (Goldschmidt, "Applications of division by convergence", MIT 1964;
  // SPU's reciprocal_goldschmidt with the normalisation of Catrina-Saxena, FC'10, Sec. 3.4)

  /**
   * 1/x for x != 0. The encoding of 2x is normalised by the position q of its highest set bit
   * (one's complement for negatives; computed by A2B, a 6-round prefix-OR and one bit-injection of
   * the one-hot), giving c = x 2^-q in [0.5, 1] up to sign; then Goldschmidt from r0 = 2.9142 - 2c
   * with 2 iterations, and the result r * 2^(fb - q) with an exact integer multiplier where the
   * scale is at least 1. 26 rounds in aby3.
   *
   * <p>Valid for 2^-f <= |x| < 2^f (fixed point) or 1 <= |x| < 2^f (integer input); relative
   * error about 1e-4 plus one ulp of the result. Outside: x = 0 gives 0; |x| >= 2^f gives 0 (the
   * true |1/x| is below one ulp).
   */
  public Share reciprocal(Share x0, boolean integerInput) {
    Shape shape = x0.shape();
    Share x = flat(x0);
    int fb = integerInput ? 0 : f;
    int top = Math.min(2 * f, fb + f);
    Norm nm = normaliseSigned(x, top);
    List<Share> bits = nm.bits();
    Share cInt = weighted(bits, 0, Math.min(f, top), q -> 1L << (f - q));
    Share cFrac = weighted(bits, f + 1, top, q -> 1L << (2 * f - q));
    Share gInt = weighted(bits, 0, Math.min(fb, top), q -> 1L << (fb - q));
    Share gFrac = weighted(bits, fb + 1, top, q -> 1L << (f + fb - q));
    Share c = sum(products(Arrays.asList(x, x), Arrays.asList(cInt, cFrac), new int[] {0, f}));
    Share r = goldschmidt(c, goldschmidtStart(nm.sign(), c));
    return sum(products(Arrays.asList(r, r), Arrays.asList(gInt, gFrac), new int[] {0, f})).reshape(shape);
  }

  /**
   * a / b by Goldschmidt's division with the numerator iterated alongside (SPU's
   * div_goldschmidt): N0 = a 2^(fb-q) r0, N_(i+1) = N_i (1 + e_i). Both operands are first
   * truncated by f+1 (in parallel with nothing else: one round) so that divisors up to 2^(3f+1)
   * encodings normalise with a single truncation. 25 rounds in aby3.
   *
   * <p>Valid for 2^-f <= |b| < 2^37 (fixed point) or integer b with 1 <= |b| < 2^37 (an
   * average's count); relative error about 1e-4 plus one ulp. Outside: b = 0 or |b| >= 2^37 gives
   * 0. Truncation contract (see above): both operands are truncated once as they are, so their
   * encodings should stay below 2^44 (fixed-point |a|, |b| < 2^26; any integer count qualifies),
   * and the quotient passes through three truncated products, so it should stay below about 2^10.
   */
  public Share div(Share a0, Share b0, boolean integerDivisor) {
    if (!a0.shape().equals(b0.shape())) throw new IllegalArgumentException("div operands differ in shape");
    Shape shape = a0.shape();
    Share a = flat(a0), b = flat(b0);
    int n = a.size();
    int fb = integerDivisor ? 0 : f;
    int top = Math.min(3 * f + 1, fb + 2 * f + 1);
    List<Share> high = split(p.trunc(Share.concat(List.of(b, a)), f + 1), 2, n);
    Share bh = high.get(0), ah = high.get(1);
    Norm nm = normaliseSigned(b, top);
    List<Share> bits = nm.bits();
    Share cInt = weighted(bits, 0, Math.min(f, top), q -> 1L << (f - q));
    Share cF1 = weighted(bits, f + 1, Math.min(2 * f, top), q -> 1L << (2 * f - q));
    Share cF2 = weighted(bits, 2 * f + 1, top, q -> 1L << (3 * f + 1 - q));
    Share aInt = weighted(bits, 0, Math.min(fb, top), q -> 1L << (fb - q));
    Share aF1 = weighted(bits, fb + 1, Math.min(fb + f, top), q -> 1L << (f + fb - q));
    Share aF2 = weighted(bits, fb + f + 1, top, q -> 1L << (2 * f + 1 + fb - q));
    List<Share> pr = products(Arrays.asList(b, b, bh, a, a, ah), Arrays.asList(cInt, cF1, cF2, aInt, aF1, aF2),
        new int[] {0, f, f, 0, f, f});
    Share c = sum(pr.subList(0, 3));
    Share af = sum(pr.subList(3, 6));
    Share r0 = goldschmidtStart(nm.sign(), c);
    List<Share> first = products(Arrays.asList(c, af), Arrays.asList(r0, r0), new int[] {f, f});
    Share e = oneMinus(first.get(0));
    Share num = first.get(1);
    for (int it = 1; it <= GOLDSCHMIDT_ITERATIONS; it++) {
      Share onePlusE = plus(e, fp.encode(1));
      if (it < GOLDSCHMIDT_ITERATIONS) {
        List<Share> ne = products(Arrays.asList(num, e), Arrays.asList(onePlusE, e), new int[] {f, f});
        num = ne.get(0);
        e = ne.get(1);
      } else {
        num = p.trunc(p.mul(num, onePlusE), f);
      }
    }
    return num.reshape(shape);
  }

  /** r0 = 2.9142 (1 - 2s) - 2c: the initial guess for 1/c with c's sign s (local). */
  /**
   * Goldschmidt iterations refining r ~ 1/d from an initial guess: with e = 1 - d r, each step
   * sets r <- r (1 + e) and e <- e^2 (the two products share one round), SPU's method with
   * GOLDSCHMIDT_ITERATIONS steps.
   */
  private Share goldschmidt(Share d, Share r) {
    Share e = oneMinus(p.trunc(p.mul(d, r), f));
    for (int it = 1; it <= GOLDSCHMIDT_ITERATIONS; it++) {
      Share onePlusE = plus(e, fp.encode(1));
      if (it < GOLDSCHMIDT_ITERATIONS) {
        List<Share> re = products(Arrays.asList(r, e), Arrays.asList(onePlusE, e), new int[] {f, f});
        r = re.get(0);
        e = re.get(1);
      } else {
        r = p.trunc(p.mul(r, onePlusE), f);
      }
    }
    return r;
  }

  private Share goldschmidtStart(Share sign, Share c) {
    long k = fp.encode(GOLDSCHMIDT_A);
    return p.sub(plus(times(sign, -2 * k), k), times(c, 2));
  }

  // ---------------------------------------------------------------------------------------------
  // exponential

  /** e^x by the given method; see {@link ExpMode} for ranges and accuracy. */
  public Share exp(Share x, ExpMode mode) {
    return switch (mode) {
      case TAYLOR -> expTaylor(x);
      case WIDE -> expWide(x);
    };
  }

  /**
   * SPU's exp_taylor: (1 + x/2^8)^(2^8), after clamping x to [-256, 8] (below -256 the base would be
   * negative; above 8 the last square's product grows towards the ring's limit).
   */
  private Share expTaylor(Share x) {
    int n = TAYLOR_SQUARINGS;
    Share xc = clampEncoded(x, -fp.encode(1L << n), fp.encode(TAYLOR_MAX));
    Share z = plus(p.trunc(xc, n), fp.encode(1));
    for (int i = 0; i < n; i++) z = p.trunc(p.mul(z, z), f);
    return z;
  }

  /**
   * e^x = 2^u with u = x log2(e) = i + phi: one truncation for u; indicators [x >= k ln 2] for
   * k = -f .. 32 in one vectorised less-than; the one-hot of i = floor(u) is their difference,
   * so i, phi = u - i and 2^i are local; 2^phi is a degree-5 polynomial (powers in 3 merged
   * levels, one truncation for the sum); the result 2^i 2^phi uses an exact integer product for
   * i >= 0 and a truncated one for i < 0. 20 rounds in aby3.
   */
  private Share expWide(Share x0) {
    Shape shape = x0.shape();
    Share x = flat(x0);
    int n = x.size();
    int lo = -f, hi = WIDE_MAX_POW;
    int k = hi - lo + 1;
    Share u = p.trunc(times(x, fp.encode(1 / LN2)), f);
    List<Share> xs = new ArrayList<>(Collections.nCopies(k, x));
    List<Share> thresholds = new ArrayList<>(k);
    for (int j = lo; j <= hi; j++) thresholds.add(pub(n, fp.encode(j * LN2)));
    List<Share> lt = split(p.lessThan(Share.concat(xs), Share.concat(thresholds)), k, n);
    List<Share> ge = new ArrayList<>(k);
    for (Share l : lt) ge.add(oneMinusInt(l));
    List<Share> oneHot = new ArrayList<>(k - 1);
    for (int j = 0; j < k - 1; j++) oneHot.add(p.sub(ge.get(j), ge.get(j + 1)));
    Share saturated = ge.get(k - 1);
    Share i = weighted(oneHot, 0, k - 2, j -> j + lo);
    Share phi = p.sub(u, times(i, fp.encode(1)));
    Share pos = weighted(oneHot, -lo, k - 2, j -> 1L << (j + lo));
    Share neg = weighted(oneHot, 0, -lo - 1, j -> 1L << (f + j + lo));
    Share p2 = polynomial(phi, EXP2);
    Share r = sum(products(Arrays.asList(p2, p2), Arrays.asList(pos, neg), new int[] {0, f}));
    return p.add(r, times(saturated, fp.encode(Math.scalb(1.0, hi)))).reshape(shape);
  }

  // ---------------------------------------------------------------------------------------------
  // logarithm

  /**
   * log(x) = e' ln 2 + log(m) with x = m 2^e', m in [0.75, 1.5): the highest set bit (A2B,
   * prefix-OR) and the bit below it (one AND) pick e', so log(m) never cancels against e' ln 2
   * near x = 1; log(1+t) = t - t^2/2 + t^3 R(t) with R of degree 4 (powers in 3 merged levels, the
   * t^2 term untruncated). 26 rounds in aby3.
   *
   * <p>Valid for 2^-f <= x < 1.5 * 2^f; relative error about 1e-5 plus two ulps. Outside: x <= 0
   * gives log(2^-f) = -f ln 2, x >= 1.5 * 2^f gives log(1.5 * 2^f).
   */
  public Share log(Share x0) {
    Shape shape = x0.shape();
    Share x = flat(x0);
    int width = 2 * f + 1; // exponent positions e in [0, 2f]
    Share b = p.a2b(x);
    Share h = oneHot(p, prefixOr(p, b));
    Share second = p.andB(shr(h, 1), b);
    // exponent one-hot: the highest bit's position, or one above it when the mantissa is >= 1.5
    Share ex = p.xorB(p.xorB(h, shl(second, 1)), shl(second, 2));
    List<Share> words = new ArrayList<>();
    for (int q = 0; q < width; q++) words.add(shr(ex, q));
    words.add(parityFrom(ex, width));
    List<Share> bits = bitsToArith(words);
    Share top = bits.get(width);
    Share mInt = weighted(bits, 0, f, q -> 1L << (f - q));
    Share mFrac = weighted(bits, f + 1, width - 1, q -> 1L << (2 * f - q));
    Share m = sum(products(Arrays.asList(x, x), Arrays.asList(mInt, mFrac), new int[] {0, f}));
    Share k = weighted(bits, 0, width - 1, q -> q - f);
    Share any = weighted(bits, 0, width - 1, q -> 1);
    Share low = plus(p.neg(p.add(any, top)), 1); // x <= 0 (no bit, or a negative's cancelled one-hot)
    m = p.add(m, p.add(times(low, fp.encode(1)), times(top, fp.encode(1.5))));
    k = p.add(k, times(p.sub(top, low), f));
    Share t = plus(m, -fp.encode(1));
    Share s2 = p.mul(t, t);
    Share t2 = p.trunc(s2, f);
    List<Share> l2 = products(Arrays.asList(t2, t2), Arrays.asList(t, t2), new int[] {f, f});
    Share t3 = l2.get(0), t4 = l2.get(1);
    List<Share> l3 = products(Arrays.asList(t4, t4, t4), Arrays.asList(t, t2, t3), new int[] {f, f, f});
    List<Share> powers = List.of(t3, t4, l3.get(0), l3.get(1), l3.get(2));
    // -t^2/2 + t^3 R(t) + k ln 2 at 2f+1 fraction bits (k ln 2 exact to 2^-37 there), one truncation
    Share acc = p.add(p.neg(s2), times(k, Math.round(Math.scalb(LN2, 2 * f + 1))));
    for (int j = 0; j < LOG_R.length; j++) acc = p.add(acc, times(powers.get(j), 2 * fp.encode(LOG_R[j])));
    return p.add(t, p.trunc(acc, f + 1)).reshape(shape);
  }

  private static double logRemainder(double t) {
    if (Math.abs(t) < 1e-4) return 1.0 / 3 - t / 4 + t * t / 5;
    return (Math.log1p(t) - t + t * t / 2) / (t * t * t);
  }

  // ---------------------------------------------------------------------------------------------
  // square roots

  /**
   * sqrt(x) = sqrt(m) 2^k with x = m 4^k, m in [1/4, 1): normalised by the highest set bit (A2B,
   * prefix-OR, one bit-injection), 1/sqrt(m) by a degree-4 polynomial and one Newton step
   * y (3 - m y^2) / 2, whose last product gives sqrt(m) = m y directly; then the scale 2^k, as an
   * exact integer product for k >= 0. Every truncated product stays near 2^(2f). 31 rounds in aby3.
   *
   * <p>Valid for 0 <= x < 2^(f-1); relative error about 2e-5 plus one ulp. Outside: x < 0 gives 0,
   * x >= 2^(f-1) gives sqrt(2^(f-1)).
   */
  public Share sqrt(Share x) {
    return root(x, true);
  }

  /**
   * 1/sqrt(x), as {@link #sqrt} with the scale 2^-k. Valid for 2^-f <= x < 2^(f-1). Outside: x <= 0
   * gives 1/sqrt(2^-f) = 2^(f/2), x >= 2^(f-1) gives 1/sqrt(2^(f-1)).
   */
  public Share rsqrt(Share x) {
    return root(x, false);
  }

  private Share root(Share x0, boolean sqrt) {
    Shape shape = x0.shape();
    Share x = flat(x0);
    int width = 2 * f - 1; // highest-bit positions q in [0, 2f-2]
    Share b = p.a2b(x);
    Share y = prefixOr(p, b);
    Share h = oneHot(p, y);
    List<Share> words = new ArrayList<>();
    for (int q = 0; q < width; q++) words.add(shr(h, q));
    words.add(shr(y, width));
    words.add(shr(b, 63));
    List<Share> bits = bitsToArith(words);
    Share top = bits.get(width), neg = bits.get(width + 1);
    // x in [2^(q-f), 2^(q-f+1)) = m 4^k with k = ceil((q - f + 1) / 2), m = x 4^-k in [1/4, 1)
    int[] kq = new int[width];
    for (int q = 0; q < width; q++) kq[q] = Math.floorDiv(q - f + 2, 2);
    Share mInt = weighted(bits, 0, width - 1, q -> kq[q] <= 0 ? 1L << (-2 * kq[q]) : 0);
    Share mFrac = weighted(bits, 0, width - 1, q -> kq[q] > 0 ? 1L << (f - 2 * kq[q]) : 0);
    // result scale: sqrt 2^k, rsqrt 2^-k; an integer where it is >= 1, fixed point below
    int sgn = sqrt ? 1 : -1;
    Share sInt = weighted(bits, 0, width - 1, q -> sgn * kq[q] >= 0 ? 1L << (sgn * kq[q]) : 0);
    Share sFrac = weighted(bits, 0, width - 1, q -> sgn * kq[q] < 0 ? 1L << (f + sgn * kq[q]) : 0);
    Share m = sum(products(Arrays.asList(x, x), Arrays.asList(mInt, mFrac), new int[] {0, f}));
    Share y0 = polynomial(m, RSQRT);
    Share a = p.trunc(p.mul(m, y0), f);
    Share bb = p.trunc(p.mul(a, y0), f);
    // Newton: 1/sqrt(m) ~ y0 (3 - m y0^2) / 2 and sqrt(m) ~ m y0 (3 - m y0^2) / 2
    Share norm = p.trunc(p.mul(sqrt ? a : y0, plus(p.neg(bb), fp.encode(3))), f + 1);
    Share res = sum(products(Arrays.asList(norm, norm), Arrays.asList(sInt, sFrac), new int[] {0, f}));
    Share any = weighted(bits, 0, width - 1, q -> 1);
    Share low = p.add(plus(p.neg(p.add(any, top)), 1), neg);
    Share high = p.sub(top, neg);
    double edge = Math.scalb(1.0, f - 1);
    double lowValue = sqrt ? 0 : Math.scalb(1.0, f / 2) * (f % 2 == 0 ? 1 : Math.sqrt(2));
    double highValue = sqrt ? Math.sqrt(edge) : 1 / Math.sqrt(edge);
    res = p.add(res, p.add(times(low, fp.encode(lowValue)), times(high, fp.encode(highValue))));
    return res.reshape(shape);
  }

  // ---------------------------------------------------------------------------------------------
  // sigmoid and tanh

  /** Sigmoid in SPU's modes; see {@link SigmoidMode}. */
  public Share sigmoid(Share x, SigmoidMode mode) {
    return switch (mode) {
      case MM1 -> plus(p.trunc(x, 3), fp.encode(0.5));
      case SEG3 -> plus(p.trunc(clampEncoded(x, fp.encode(-4), fp.encode(4)), 3), fp.encode(0.5));
      case REAL -> sigmoidReal(x);
    };
  }

  /**
   * 1 / (1 + e^-x) on the whole encodable range, to about 1e-4 absolute: sigmoid(x) = s' for x >= 0
   * and 1 - s' for x < 0 with s' = 1 / (1 + e^-|x|). One vectorised comparison gives the sign and
   * the clamp |x| <= 32; e^-|x| = q(y)^32 with y = -|x|/32 in [-1, 0] and q the cubic Taylor
   * polynomial 1 + y + y^2 (1/2 + y/6); then 1 + e^-|x| lies in [1, 2] and needs no normalisation
   * before Goldschmidt (2 iterations). 33 rounds in aby3 (SPU's REAL mode composes the general exp
   * and reciprocal instead).
   */
  private Share sigmoidReal(Share x0) {
    Shape shape = x0.shape();
    Share x = flat(x0);
    int n = x.size();
    int m = SIGMOID_SQUARINGS;
    long limit = fp.encode(Math.scalb(1.0, m));
    List<Share> cmp = split(p.lessThan(Share.concat(List.of(x, pub(n, limit), x)),
        Share.concat(List.of(pub(n, 0), x, pub(n, -limit)))), 3, n);
    Share s = cmp.get(0), above = cmp.get(1), below = cmp.get(2);
    Share g = p.add(plus(p.sub(times(s, -2), above), 1), below); // 1 - 2s - a + b
    Share ax = p.add(p.mul(x, g), times(p.add(above, below), limit)); // min(|x|, 2^m)
    Share yv = p.trunc(p.neg(ax), m);
    // y^2 and y/6 share one truncation exchange (y/6 is a local product with a public constant)
    List<Share> l1 = split(p.trunc(Share.concat(List.of(p.mul(yv, yv), times(yv, fp.encode(1.0 / 6)))), f), 2, n);
    Share y2 = l1.get(0), y6 = l1.get(1);
    Share cubic = p.trunc(p.mul(y2, plus(y6, fp.encode(0.5))), f);
    Share z = plus(p.add(yv, cubic), fp.encode(1));
    for (int i = 0; i < m - 1; i++) z = p.trunc(p.mul(z, z), f);
    Share half = p.trunc(p.mul(z, z), f + 1); // e^-|x| / 2
    Share d = plus(times(half, 2), fp.encode(1));
    Share r = goldschmidt(d, plus(p.neg(half), fp.encode(GOLDSCHMIDT_A / 2 - 0.5))); // start (2.9142 - d) / 2
    // x < 0: 1 - r = r + (1 - 2r)
    Share flip = p.mul(s, plus(times(r, -2), fp.encode(1)));
    return p.add(r, flip).reshape(shape);
  }

  /** tanh(x) = 2 sigmoid(2x) - 1, to about 2e-4 absolute on the whole encodable range. */
  public Share tanh(Share x) {
    return plus(times(sigmoidReal(times(x, 2)), 2), -fp.encode(1));
  }

  // ---------------------------------------------------------------------------------------------
  // normalisation: the highest set bit by boolean circuits

  private record Norm(Share sign, List<Share> bits) {}

  /**
   * One-hot of the highest set bit q of |2x| at q in [0, top] (bits 0..top, arithmetic 0/1) and
   * the sign of x. Negatives use the one's complement ~(2x) = |2x| - 1, which has the same
   * highest bit as |2x| except at powers of two (then c = x 2^-q is exactly -1, still a valid
   * Goldschmidt start); doubling first keeps x = -1 (integer) from vanishing.
   */
  private Norm normaliseSigned(Share x, int top) {
    Share b = p.a2b(times(x, 2));
    Share mag = p.xorB(b, b.map(t -> t.shiftRightArith(63)));
    Share h = oneHot(p, prefixOr(p, mag));
    List<Share> words = new ArrayList<>(top + 2);
    for (int q = 0; q <= top; q++) words.add(shr(h, q));
    words.add(shr(b, 63));
    List<Share> bits = bitsToArith(words);
    return new Norm(bits.get(top + 1), bits.subList(0, top + 1));
  }



  /** Bit 0 = XOR of bits {@code from}..63 (for a one-hot word: some bit at or above {@code from}). */
  private static Share parityFrom(Share w, int from) {
    Share v = shr(w, from);
    for (int k = 32; k >= 1; k >>= 1) {
      final int s = k;
      v = v.map(t -> t.xor(t.shiftRightLogical(s)));
    }
    return v;
  }



  /** Arithmetic 0/1 from bit 0 of each boolean word: one bit-injection exchange for all words. */
  private List<Share> bitsToArith(List<Share> words) {
    int n = words.get(0).size();
    return split(p.bitToArith(Share.concat(words)), words.size(), n);
  }

  // ---------------------------------------------------------------------------------------------
  // local helpers

  /**
   * c0 + c1 v + ... + cd v^d with public coefficients: the powers in ceil(log2 d) merged levels,
   * then one truncation of the sum taken at 2f fraction bits.
   */
  private Share polynomial(Share v, double[] coef) {
    int d = coef.length - 1;
    Map<Integer, Share> pow = new LinkedHashMap<>();
    pow.put(1, v);
    for (int have = 1; have < d; have *= 2) {
      List<Share> as = new ArrayList<>(), bs = new ArrayList<>();
      List<Integer> made = new ArrayList<>();
      for (int e = have + 1; e <= Math.min(2 * have, d); e++) {
        as.add(pow.get(have));
        bs.add(pow.get(e - have));
        made.add(e);
      }
      int[] bits = new int[as.size()];
      Arrays.fill(bits, f);
      List<Share> r = products(as, bs, bits);
      for (int i = 0; i < made.size(); i++) pow.put(made.get(i), r.get(i));
    }
    Share acc = null;
    for (int e = 1; e <= d; e++) {
      Share term = times(pow.get(e), fp.encode(coef[e]));
      acc = acc == null ? term : p.add(acc, term);
    }
    return plus(p.trunc(acc, f), fp.encode(coef[0]));
  }

  /**
   * Products of pairs in ONE multiplication exchange, then ONE truncation exchange (by f or f+1,
   * one value per call) for the pairs with {@code truncBits[i] > 0}. A null right operand stands
   * for zero: the pair is skipped and its result is null.
   */
  private List<Share> products(List<Share> as, List<Share> bs, int[] truncBits) {
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < as.size(); i++) if (bs.get(i) != null) live.add(i);
    Share[] out = new Share[as.size()];
    if (live.isEmpty()) return Arrays.asList(out);
    List<Share> left = new ArrayList<>(), right = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    for (int i : live) {
      left.add(as.get(i));
      right.add(bs.get(i));
      shapes.add(as.get(i).shape());
    }
    List<Share> prod = live.size() == 1 ? List.of(p.mul(left.get(0), right.get(0)))
        : p.mul(Share.concat(left), Share.concat(right)).split(shapes);
    for (int j = 0; j < live.size(); j++) out[live.get(j)] = prod.get(j);
    // one truncation call per distinct shift (the functions above use one shift per level)
    Map<Integer, List<Integer>> byBits = new LinkedHashMap<>();
    for (int i : live) if (truncBits[i] > 0) byBits.computeIfAbsent(truncBits[i], k -> new ArrayList<>()).add(i);
    for (Map.Entry<Integer, List<Integer>> g : byBits.entrySet()) {
      List<Share> ins = new ArrayList<>();
      List<Shape> sh = new ArrayList<>();
      for (int i : g.getValue()) {
        ins.add(out[i]);
        sh.add(out[i].shape());
      }
      List<Share> t = ins.size() == 1 ? List.of(p.trunc(ins.get(0), g.getKey()))
          : p.trunc(Share.concat(ins), g.getKey()).split(sh);
      for (int j = 0; j < t.size(); j++) out[g.getValue().get(j)] = t.get(j);
    }
    return Arrays.asList(out);
  }

  /** sum_{q in [from, to]} w(q) terms[q] with public integer weights; null when no term has a weight. */
  private Share weighted(List<Share> terms, int from, int to, IntToLongFunction w) {
    Share acc = null;
    for (int q = Math.max(0, from); q <= Math.min(to, terms.size() - 1); q++) {
      long wq = w.applyAsLong(q);
      if (wq == 0) continue;
      Share t = times(terms.get(q), wq);
      acc = acc == null ? t : p.add(acc, t);
    }
    return acc;
  }

  /** Sum of the non-null shares (zero when all are null). */
  private Share sum(List<Share> xs) {
    Share acc = null;
    for (Share s : xs) if (s != null) acc = acc == null ? s : p.add(acc, s);
    if (acc == null) throw new IllegalStateException("empty sum");
    return acc;
  }

  private Share oneMinus(Share fixedPoint) {
    return plus(p.neg(fixedPoint), fp.encode(1));
  }

  private Share oneMinusInt(Share bit) {
    return plus(p.neg(bit), 1);
  }

  private Share plus(Share x, long c) {
    return p.addPublic(x, RingTensor.fill(x.shape(), c));
  }

  private Share times(Share x, long c) {
    return p.mulPublic(x, RingTensor.fill(x.shape(), c));
  }

  private Share pub(int n, long v) {
    return p.constant(RingTensor.fill(Shape.vector(n), v));
  }

  private static Share flat(Share x) {
    return x.shape().rank() == 1 ? x : x.reshape(Shape.vector(x.size()));
  }

}

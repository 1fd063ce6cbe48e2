package org.sparkspu.engine.hal;

import static org.sparkspu.engine.hal.BoolWords.oneHot;
import static org.sparkspu.engine.hal.BoolWords.prefixOr;
import static org.sparkspu.engine.hal.BoolWords.shl;
import static org.sparkspu.engine.hal.BoolWords.shr;
import static org.sparkspu.engine.hal.BoolWords.split;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Division of secret integers over the whole 62-bit range that reveals only the quotient rounded
 * (down) to a public number of significant bits: for averages of large sums, variances and other
 * ratios that {@link Fxp#div} (Goldschmidt, |a|, |b| encodings below 2^44, about 1e-4 relative error)
 * cannot cover.
 *
 * <p>Inputs: secret integers N with |N| < 2^62 and D with 1 <= D < 2^62, element by element; per
 * element a public precision K (1..62 bits) and optionally a public decimal scale t (the quotient
 * N 10^t / D, for decimal averages). Method:
 * <ol>
 * <li>One A2B of [N, -N, D, -D] (plus [5^t N, -5^t N, N - B, -N - B] when some t > 0); the sign of N
 * is bit 63, and |N| is selected from the words of N and -N by one AND round (no adder).
 * <li>Normalisation after Catrina and Saxena (FC'10, Sec. 3.4): the highest set bit of |N| and of D
 * as a one-hot word (packed prefix-OR, six AND rounds, then h = x ^ (x >> 1)); mantissas
 * A_m = |N| 2^(61 - j_A), D_m = D 2^(61 - j_D) in [2^61, 2^62) by ONE AND round over the 62
 * candidate shifts (exact: only left shifts); the exponents j_A, j_D are parities of masked one-hot
 * words (local).
 * <li>K + 1 quotient bits of A_m / D_m (a value in (1/2, 2)) by non-restoring division (Robertson
 * 1958; the same bits as restoring division: the non-restoring remainder is the restoring one minus
 * D_m whenever that trial subtraction failed), in the boolean domain: R_0 = A_m - D_m, and
 * R_i = 2 R_(i-1) -/+ D_m by the sign of R_(i-1), where the conditional negation is a local XOR with
 * the sign mask and the carry-in enters bit 0 of 2 R_(i-1); bit i of the quotient is 1 - sign(R_i).
 * Each step is one 64-bit Kogge-Stone addition (7 AND rounds), all elements in one call, instead of
 * a comparison plus a product per step (11 rounds in aby3).
 * <li>Canonicalisation: the mantissa is the top K of the K + 1 bits when the leading bit is 1, else
 * the low K, with the exponent adjusted, so that m is always in [2^(K-1), 2^K) (0 only for N = 0,
 * where the exponent is zeroed too): the opened pair is a function of the rounded quotient only.
 * <li>Opening of [m, meta] per element (meta packs the exponent, the sign and the scale flag).
 * </ol>
 * About 19 + 7 (K + 1) rounds (aby3, K = 40: about 310), and per element about 200 AND words for
 * the normalisation and 12 per quotient bit.
 *
 * <p>Leakage: exactly the quotient |N 10^t / D| truncated to K significant bits, its sign, and, only
 * for elements with t > 0, whether |N| 5^t < 2^62 (the exact path; otherwise |N| / D is divided and
 * the plaintext factor 10^t applied afterwards, exact to K bits relative). N = 0 opens as zero with
 * no exponent. Nothing else: the kernel sequence depends on shapes and public parameters only.
 *
 * <p>Exactness: a revealed quotient is floor(|X| 2^-E) 2^E with E = floor(log2 |X|) - K + 1. When
 * E <= -1 (|X| < 2^(K-1)), rounding it to an integer (any mode, in particular HALF_UP) gives the
 * same integer as rounding X itself, so a decimal average computed with t = its extra scale digits
 * and K with 2^(K-1) above the result's largest unscaled value is exactly Spark's HALF_UP result.
 */
public final class WideDivision {
  /** Default precision: relative error below 2^-39. */
  public static final int DEFAULT_BITS = 40;
  /** Largest precision: the mantissa and its K + 1 bits fit a signed word. */
  public static final int MAX_BITS = 62;
  /** Largest decimal scale: 5^t must stay below 2^62. */
  public static final int MAX_POW10 = 26;
  /** Mantissas are normalised to [2^TOP, 2^(TOP+1)): exact left shifts of values below 2^62. */
  static final int TOP = 61;
  private static final int EXP_OFFSET = 128;

  private final Protocol p;

  public WideDivision(Protocol protocol) {
    this.p = protocol;
  }

  /**
   * An opened quotient: (-1)^negative * mantissa * 2^exponent * 5^pow5, exactly the value that was
   * revealed. A zero mantissa is an exact zero.
   */
  public record Quotient(boolean negative, long mantissa, int exponent, int pow5) implements Serializable {
    public boolean isZero() {
      return mantissa == 0;
    }

    /** The revealed value exactly. */
    public BigDecimal exact() {
      if (mantissa == 0) return BigDecimal.ZERO;
      BigInteger m = BigInteger.valueOf(mantissa).multiply(BigInteger.valueOf(5).pow(pow5));
      BigDecimal v;
      if (exponent >= 0) v = new BigDecimal(m.shiftLeft(exponent));
      else v = new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent); // m 2^-e = m 5^e / 10^e
      return negative ? v.negate() : v;
    }

    /** The revealed value rounded to {@code scale} decimal places. */
    public BigDecimal round(int scale, RoundingMode mode) {
      return exact().setScale(scale, mode);
    }

    /** The nearest double to the revealed value times 2^shift (e.g. -f to decode fixed point). */
    public double toDouble(int shift) {
      if (mantissa == 0) return negative ? -0.0 : 0.0;
      double v;
      if (pow5 == 0) v = Math.scalb((double) mantissa, exponent + shift);
      else {
        BigDecimal e = new Quotient(false, mantissa, exponent + shift, pow5).exact();
        v = e.doubleValue();
      }
      return negative ? -v : v;
    }

    public double toDouble() {
      return toDouble(0);
    }
  }

  /**
   * The secret half of a division: the packed result (shape [2n]: mantissas, then meta words) still
   * in shares, so that a caller can open it together with its other results in one exchange, and
   * what is needed to decode it.
   */
  public static final class Pending {
    private final Share packed;
    private final int[] bits;
    private final int[] pow10;

    Pending(Share packed, int[] bits, int[] pow10) {
      this.packed = packed;
      this.bits = bits;
      this.pow10 = pow10;
    }

    /** Secret [m_0..m_(n-1), meta_0..meta_(n-1)]; open it (to anyone) and pass the plaintext to {@link #decode}. */
    public Share packed() {
      return packed;
    }

    /** Number of quotients. */
    public int size() {
      return bits.length;
    }

    public Quotient[] decode(RingTensor opened) {
      int n = bits.length;
      if (opened.size() != 2 * n) throw new IllegalArgumentException("expected " + 2 * n + " opened words, got " + opened.size());
      Quotient[] q = new Quotient[n];
      for (int i = 0; i < n; i++) {
        long m = opened.get(i);
        long meta = opened.get(n + i);
        boolean negative = ((meta >>> 8) & 1) == 1;
        boolean exactScale = ((meta >>> 9) & 1) == 1;
        int e = (int) (meta & 0xFF) - EXP_OFFSET;
        if (m == 0) q[i] = new Quotient(negative, 0, 0, 0);
        else q[i] = new Quotient(negative, m, e - bits[i] + pow10[i], exactScale ? 0 : pow10[i]);
      }
      return q;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // public entry points

  /** N / D to {@code bits} significant bits, opened to every party. */
  public Quotient[] divide(Share num, Share den, int bits) {
    Pending pd = start(num, den, fill(num.size(), bits), new int[num.size()]);
    return pd.decode(p.reveal(pd.packed()));
  }

  /** N / D to {@code bits} significant bits, opened to {@code receiver} only; null at the other parties. */
  public Quotient[] divideTo(Share num, Share den, int bits, int receiver) {
    Pending pd = start(num, den, fill(num.size(), bits), new int[num.size()]);
    RingTensor opened = p.revealTo(pd.packed(), receiver);
    return opened == null ? null : pd.decode(opened);
  }

  /**
   * Decimal quotients N 10^t / D rounded HALF_UP (Spark's rule) to integers, i.e. the unscaled value
   * of N / D at t more decimal places than N: exact whenever the result's magnitude is below
   * 2^(bits-1) and |N| 5^t < 2^62 (see the class comment). Opened to every party.
   */
  public BigDecimal[] divideDecimal(Share num, Share den, int bits, int pow10) {
    Pending pd = start(num, den, fill(num.size(), bits), fill(num.size(), pow10));
    Quotient[] q = pd.decode(p.reveal(pd.packed()));
    BigDecimal[] r = new BigDecimal[q.length];
    for (int i = 0; i < q.length; i++) r[i] = q[i].round(0, RoundingMode.HALF_UP);
    return r;
  }

  public Pending start(Share num, Share den, int bits) {
    return start(num, den, fill(num.size(), bits), new int[num.size()]);
  }

  /**
   * Computes N_i 10^(pow10_i) / D_i to bits_i significant bits in shares, without opening anything.
   * All elements run in the same vectorised kernel calls; the number of steps is the largest bits_i.
   */
  public Pending start(Share num0, Share den0, int[] bits, int[] pow10) {
    if (!num0.shape().equals(den0.shape())) throw new IllegalArgumentException("numerator and denominator differ in shape");
    int n = num0.size();
    if (bits.length != n || pow10.length != n) throw new IllegalArgumentException("one precision and one scale per element");
    int kMax = 1;
    boolean scaling = false;
    for (int i = 0; i < n; i++) {
      if (bits[i] < 1 || bits[i] > MAX_BITS) throw new IllegalArgumentException("precision must be 1.." + MAX_BITS + " bits, got " + bits[i]);
      if (pow10[i] < 0 || pow10[i] > MAX_POW10) throw new IllegalArgumentException("decimal scale must be 0.." + MAX_POW10 + ", got " + pow10[i]);
      kMax = Math.max(kMax, bits[i]);
      scaling |= pow10[i] > 0;
    }
    bits = bits.clone();
    pow10 = pow10.clone();
    if (n == 0) return new Pending(p.constant(RingTensor.zeros(Shape.vector(0))), bits, pow10);
    Shape vec = Shape.vector(n);
    Share num = num0.reshape(vec), den = den0.reshape(vec);

    // (a) one A2B for every word the circuit needs
    List<Share> words = new ArrayList<>(List.of(num, p.neg(num), den, p.neg(den)));
    if (scaling) {
      long[] five = new long[n], bound = new long[n];
      for (int i = 0; i < n; i++) {
        five[i] = BigInteger.valueOf(5).pow(pow10[i]).longValueExact();
        bound[i] = ((1L << 62) - 1) / five[i] + 1; // |N| < bound  <=>  |N| 5^t < 2^62
      }
      Share n5 = p.mulPublic(num, RingTensor.wrap(five, vec));
      RingTensor negBound = RingTensor.wrap(bound, vec).neg();
      words.add(n5);
      words.add(p.neg(n5));
      words.add(p.addPublic(num, negBound));
      words.add(p.addPublic(p.neg(num), negBound));
    }
    List<Share> b = split(p.a2b(Share.concat(words)), words.size(), n);
    Share xN = b.get(0), xNegN = b.get(1), xD = b.get(2), xNegD = b.get(3);
    Share signMask = sra(xN, 63);

    // |N| (and |5^t N|) by selecting the word of N or of -N with the sign mask: one AND round
    Share absN;
    Share okBit = null;
    if (!scaling) {
      absN = p.xorB(xN, p.andB(signMask, p.xorB(xNegN, xN)));
    } else {
      Share xN5 = b.get(4), xNegN5 = b.get(5);
      List<Share> sel = split(p.andB(Share.concat(List.of(signMask, signMask)),
          Share.concat(List.of(p.xorB(xNegN, xN), p.xorB(xNegN5, xN5)))), 2, n);
      Share a1 = p.xorB(xN, sel.get(0)), a5 = p.xorB(xN5, sel.get(1));
      // |N| < B  <=>  N - B < 0 and -N - B < 0; both cannot be >= 0, so ok = NOT(msb1 XOR msb2)
      Share okMask = not(sra(p.xorB(b.get(6), b.get(7)), 63));
      absN = p.xorB(a1, p.andB(okMask, p.xorB(a5, a1)));
      okBit = okMask;
    }

    // (b) highest set bits: packed prefix-OR, then the one-hot
    List<Share> pre = split(prefixOr(p, Share.concat(List.of(absN, xD))), 2, n);
    Share preA = pre.get(0);
    Share hA = oneHot(p, preA), hD = oneHot(p, pre.get(1));

    // (c) mantissas by one AND round over the candidate shifts: x << (TOP - j) where bit j is the top bit
    Share hAll = Share.concat(List.of(hA, hD, hD));
    Share xAll = Share.concat(List.of(absN, xD, xNegD));
    List<Share> lefts = new ArrayList<>(TOP + 1), rights = new ArrayList<>(TOP + 1);
    for (int j = 0; j <= TOP; j++) {
      lefts.add(broadcastBit(hAll, j));
      rights.add(shl(xAll, TOP - j));
    }
    List<Share> shifted = andMany(lefts, rights);
    Share norm = shifted.get(0);
    for (int j = 1; j <= TOP; j++) norm = p.xorB(norm, shifted.get(j));
    List<Share> ms = split(norm, 3, n);
    Share am = ms.get(0), dm = ms.get(1), negDm = ms.get(2);

    // (d) K+1 quotient bits by non-restoring division on boolean words
    List<Share> bitWords = new ArrayList<>();
    Share r = add64(am, negDm);
    bitWords.add(not(shr(r, 63)));
    for (int i = 1; i <= kMax; i++) {
      Share bMask = not(sra(r, 63)); // all ones when R >= 0: subtract next
      Share x = p.xorB(shl(r, 1), p.andPublicB(bMask, RingTensor.fill(vec, 1L)));
      Share y = p.xorB(dm, bMask);
      r = add64(x, y);
      bitWords.add(not(shr(r, 63)));
    }
    // exponents: bit k of j is the parity of the one-hot under the mask of positions with bit k set
    for (Share h : List.of(hA, hD)) {
      for (int k = 0; k < 6; k++) bitWords.add(parity(p.andPublicB(h, RingTensor.fill(vec, positionMask(k)))));
    }
    bitWords.add(preA);          // bit 0: N != 0
    bitWords.add(shr(xN, 63));   // sign
    if (scaling) bitWords.add(okBit);
    List<Share> arith = split(p.bitToArith(Share.concat(bitWords)), bitWords.size(), n);
    int at = kMax + 1;
    Share jA = weightedSum(arith.subList(at, at + 6));
    Share jD = weightedSum(arith.subList(at + 6, at + 12));
    Share nz = arith.get(at + 12);
    Share sign = arith.get(at + 13);
    Share ok = scaling ? arith.get(at + 14) : null;

    // (e) canonical mantissa and exponent: q = K+1 bits, qh = the top K bits
    Share q = null, qh = null;
    for (int i = 0; i <= kMax; i++) {
      long[] wq = new long[n], wh = new long[n];
      for (int e = 0; e < n; e++) {
        if (i <= bits[e]) wq[e] = 1L << (bits[e] - i);
        if (i <= bits[e] - 1) wh[e] = 1L << (bits[e] - 1 - i);
      }
      Share tq = p.mulPublic(arith.get(i), RingTensor.wrap(wq, vec));
      Share th = p.mulPublic(arith.get(i), RingTensor.wrap(wh, vec));
      q = q == null ? tq : p.add(q, tq);
      qh = qh == null ? th : p.add(qh, th);
    }
    Share b0 = arith.get(0);
    Share eDiff = p.add(p.sub(jA, jD), b0);
    List<Share> prod = split(p.mul(Share.concat(List.of(b0, nz)), Share.concat(List.of(p.sub(qh, q), eDiff))), 2, n);
    Share mantissa = p.add(q, prod.get(0));
    Share meta = p.addPublic(p.add(prod.get(1), p.mulPublic(sign, RingTensor.fill(vec, 256))), RingTensor.fill(vec, EXP_OFFSET));
    if (scaling) meta = p.add(meta, p.mulPublic(ok, RingTensor.fill(vec, 512)));
    else meta = p.addPublic(meta, RingTensor.fill(vec, 512));
    return new Pending(Share.concat(List.of(mantissa, meta)), bits, pow10);
  }

  /**
   * floor(x / 2^bits) exactly, for any signed x: A2B, an arithmetic shift of the XOR shares (local:
   * the sign bit is replicated in every share), B2A. Reveals nothing.
   */
  public Share truncateExact(Share x, int bits) {
    if (bits < 0 || bits > 63) throw new IllegalArgumentException("shift must be 0..63");
    if (bits == 0) return x;
    return p.b2a(sra(p.a2b(x), bits));
  }

  /**
   * Declared rounds and bytes of {@link #start} plus one opening to everyone, for n elements at
   * {@code bits} precision, from the protocol's own kernel costs (the circuit is oblivious).
   */
  public static Cost cost(Protocol protocol, int n, int bits, boolean decimalScaling) {
    CostProbe probe = new CostProbe(protocol);
    Share z = new Share(Share.Kind.ARITH, RingTensor.zeros(Shape.vector(n)));
    int[] pw = new int[n];
    if (decimalScaling) Arrays.fill(pw, 1);
    WideDivision wd = new WideDivision(probe);
    probe.reveal(wd.start(z, z, fill(n, bits), pw).packed());
    Cost c = Cost.FREE;
    for (CostProbe.Call call : probe.calls()) c = c.then(protocol.cost(call.kernel(), call.dims()));
    return c;
  }

  // ---------------------------------------------------------------------------------------------
  // boolean circuits on bit-sliced XOR shares (shifts and XORs are local)

  /**
   * x + y mod 2^64 by a Kogge-Stone parallel-prefix adder: generate/propagate, then levels 1..32
   * (the two ANDs of a level merged into one exchange; the last level needs only the generate):
   * 7 AND rounds.
   */
  private Share add64(Share x, Share y) {
    Share g = p.andB(x, y);
    Share pr = p.xorB(x, y);
    Share sum = pr;
    for (int k = 1; k < 32; k <<= 1) {
      List<Share> r = andMany(List.of(pr, pr), List.of(shl(g, k), shl(pr, k)));
      g = p.xorB(g, r.get(0)); // a group's generate and (propagate & lower generate) never overlap
      pr = r.get(1);
    }
    g = p.xorB(g, p.andB(pr, shl(g, 32)));
    return p.xorB(sum, shl(g, 1));
  }



  private Share not(Share x) {
    return p.xorPublicB(x, RingTensor.fill(x.shape(), -1L));
  }

  /** Several independent ANDs in one exchange. */
  private List<Share> andMany(List<Share> lefts, List<Share> rights) {
    List<Shape> shapes = new ArrayList<>(lefts.size());
    for (Share s : lefts) shapes.add(s.shape());
    return p.andB(Share.concat(lefts), Share.concat(rights)).split(shapes);
  }

  /** sum_k 2^k bits_k (arithmetic, local). */
  private Share weightedSum(List<Share> bitsLowFirst) {
    Share acc = bitsLowFirst.get(0);
    for (int k = 1; k < bitsLowFirst.size(); k++) {
      acc = p.add(acc, p.mulPublic(bitsLowFirst.get(k), RingTensor.fill(acc.shape(), 1L << k)));
    }
    return acc;
  }

  /** Positions j in 0..63 whose bit k is set. */
  private static long positionMask(int k) {
    long m = 0;
    for (int j = 0; j < 64; j++) if (((j >> k) & 1) == 1) m |= 1L << j;
    return m;
  }

  /** Bit 0 = XOR of all 64 bits (local fold). */
  private static Share parity(Share w) {
    Share v = w;
    for (int k = 32; k >= 1; k >>= 1) {
      final int s = k;
      v = v.map(t -> t.xor(t.shiftRightLogical(s)));
    }
    return v;
  }

  /** All-ones where bit j is set, else zero (local: shift bit j to the top, then sign-extend). */
  private static Share broadcastBit(Share w, int j) {
    return w.map(t -> t.shiftLeft(63 - j).shiftRightArith(63));
  }



  private static Share sra(Share x, int k) {
    return x.map(t -> t.shiftRightArith(k));
  }


  private static int[] fill(int n, int v) {
    int[] r = new int[n];
    Arrays.fill(r, v);
    return r;
  }
}

package org.sparkspu.engine.mpc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.link.LinkStats;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * What the secret protocols share: kernel accounting for the profile, and the boolean circuits
 * built from a protocol's AND gate — a carry-save reduction and a Kogge-Stone parallel-prefix
 * adder on bit-sliced shares (log2(64) = 6 AND rounds, as in ABY3 §5.3 and SPU's ppa), the sign
 * bit, and a zero test by an AND tree. A protocol supplies how its arithmetic shares become
 * boolean summands ({@link #summands}) and its own AND, bit injection and truncation.
 */
public abstract class AbstractProtocol implements Protocol {
  protected static final int K = 64;
  protected final ProtocolContext ctx;
  protected final Link link;
  protected final int self;
  protected final int n;
  private final Prg publicRandom;
  private int nesting;

  protected AbstractProtocol(ProtocolContext ctx) {
    this.ctx = ctx;
    this.link = ctx.link();
    this.self = ctx.self();
    this.n = ctx.parties();
    // The session's common public seed: party 0 draws it fresh and gives it to every party.
    byte[] seed;
    if (self == 0) {
      seed = Prg.freshSeed(ctx.random());
      for (int p = 1; p < n; p++) link.sendBytes(p, "public.seed", seed, true);
    } else {
      seed = link.recvBytes(0, "public.seed");
    }
    this.publicRandom = new Prg(seed);
  }

  @Override
  public Prg publicRandom() {
    return publicRandom;
  }

  @Override
  public int parties() {
    return n;
  }

  @Override
  public int self() {
    return self;
  }

  /** Runs a kernel body, reporting it to the observer when it is the outermost kernel call. */
  protected final <T> T kernel(String name, long elements, Supplier<T> body) {
    if (nesting > 0) {
      nesting++;
      try {
        return body.get();
      } finally {
        nesting--;
      }
    }
    nesting++;
    link.stats().beginKernel();
    LinkStats.Snapshot before = link.stats().snapshot();
    long t0 = System.nanoTime();
    try {
      return body.get();
    } finally {
      nesting--;
      ctx.observer().kernelDone(name, elements, before, link.stats().snapshot(), System.nanoTime() - t0);
    }
  }

  protected static void checkSameShape(Share a, Share b) {
    if (!a.shape().equals(b.shape())) {
      throw new IllegalArgumentException("operand shapes differ: " + a.shape() + " vs " + b.shape());
    }
  }

  /**
   * Boolean shares whose sum (mod 2^64) is the value of arithmetic share {@code x}: the start of
   * A2B, MSB and B2A circuits.
   */
  protected abstract List<Share> summands(Share x);

  /** A boolean share that is zero exactly when the arithmetic share {@code z} is zero. */
  protected abstract Share zeroTestOperand(Share z);

  // ---- generic kernels over the protocol's primitives ----

  /**
   * Inputs one after another inside one kernel call: right for protocols whose input sends
   * nothing (semi2k); protocols whose input is one-way override this to overlap the messages.
   */
  @Override
  public List<Share> inputs(int[] owners, RingTensor[] values, Shape[] shapes) {
    return kernel("input", totalSize(shapes), () -> {
      List<Share> out = new ArrayList<>(owners.length);
      for (int i = 0; i < owners.length; i++) out.add(input(owners[i], values[i], shapes[i]));
      return out;
    });
  }

  protected static long totalSize(Shape[] shapes) {
    long n = 0;
    for (Shape s : shapes) n += s.size();
    return n;
  }

  protected void checkOwnedInput(int owner, RingTensor value, Shape shape) {
    if (self != owner) return;
    if (value == null) throw new IllegalArgumentException("party " + self + " owns an input but passed no value");
    if (!value.shape().equals(shape)) throw new IllegalArgumentException("input shape " + value.shape() + " is not " + shape);
  }

  @Override
  public Share a2b(Share x) {
    return kernel("a2b", x.size(), () -> addBool(summands(x)));
  }

  @Override
  public Share msb(Share x) {
    return kernel("msb", x.size(), () -> bitToArith(signBit(summands(x))));
  }

  @Override
  public Share lessThan(Share a, Share b) {
    checkSameShape(a, b);
    return kernel("less", a.size(), () -> bitToArith(signBit(summands(sub(a, b)))));
  }

  @Override
  public Share allNegative(List<Share> xs) {
    if (xs.isEmpty()) throw new IllegalArgumentException("allNegative of no operands");
    Shape shape = xs.get(0).shape();
    for (Share x : xs) checkSameShape(xs.get(0), x);
    int n = shape.size();
    return kernel("all_negative", n, () -> {
      // Each operand padded to whole longs of packed bits, so operand j's signs are words [j*w, (j+1)*w).
      int padded = paddedBits(n), w = padded / 64;
      List<Share> parts = new ArrayList<>(xs.size());
      for (Share x : xs) parts.add(x.map(t -> padTo(t, padded)));
      Share signs = signBitsPacked(summands(Share.concat(parts)));
      List<Shape> lanes = new ArrayList<>();
      for (int j = 0; j < xs.size(); j++) lanes.add(Shape.vector(w));
      List<Share> level = xs.size() == 1 ? List.of(signs) : signs.split(lanes);
      while (level.size() > 1) { // balanced AND tree, one round per level
        List<Share> lefts = new ArrayList<>(), rights = new ArrayList<>();
        for (int i = 0; i + 1 < level.size(); i += 2) {
          lefts.add(level.get(i));
          rights.add(level.get(i + 1));
        }
        List<Share> next = new ArrayList<>(andMany(lefts, rights));
        if (level.size() % 2 == 1) next.add(level.get(level.size() - 1));
        level = next;
      }
      Share bits = level.get(0).map(t -> BitPacking.unpackBits(t, Shape.vector(n)).reshape(shape));
      return bitToArith(bits);
    });
  }

  private static int paddedBits(long n) {
    return (int) ((n + 63) / 64 * 64);
  }

  private static RingTensor padTo(RingTensor t, int len) {
    long[] d = java.util.Arrays.copyOf(t.data(), len);
    return RingTensor.wrap(d, Shape.vector(len));
  }

  @Override
  public Share equal(Share a, Share b) {
    checkSameShape(a, b);
    return kernel("equal", a.size(), () -> bitToArith(isZero(zeroTestOperand(sub(a, b)))));
  }

  @Override
  public Share select(Share c, Share a, Share b) {
    checkSameShape(a, b);
    checkSameShape(c, a);
    return kernel("select", a.size(), () -> add(b, mul(c, sub(a, b))));
  }

  // ---- boolean circuits ----

  protected final Share notB(Share a) {
    return xorPublicB(a, RingTensor.fill(a.shape(), -1L));
  }

  protected static Share shl(Share a, int k) {
    return a.map(t -> t.shiftLeft(k));
  }

  protected static Share shr(Share a, int k) {
    return a.map(t -> t.shiftRightLogical(k));
  }

  protected static Share mask(Share a, long m) {
    return a.map(t -> t.andScalar(m));
  }

  /** Several independent ANDs in one exchange: concatenate, AND once, split back. */
  protected final List<Share> andMany(List<Share> lefts, List<Share> rights) {
    if (lefts.size() == 1) return List.of(andB(lefts.get(0), rights.get(0)));
    List<Shape> shapes = new ArrayList<>();
    for (Share s : lefts) shapes.add(s.shape());
    return andB(Share.concat(lefts), Share.concat(rights)).split(shapes);
  }

  /** Carry-save reduction of boolean summands to two, one AND round per level (3 -> 2). */
  protected final List<Share> reduceToTwo(List<Share> ops) {
    List<Share> cur = new ArrayList<>(ops);
    while (cur.size() > 2) {
      List<Share> lefts = new ArrayList<>(), rights = new ArrayList<>(), sums = new ArrayList<>();
      int groups = cur.size() / 3;
      for (int g = 0; g < groups; g++) {
        Share a = cur.get(3 * g), b = cur.get(3 * g + 1), c = cur.get(3 * g + 2);
        // majority(a, b, c) = ((a ^ c) & (b ^ c)) ^ c: one AND per full adder
        lefts.add(xorB(a, c));
        rights.add(xorB(b, c));
        sums.add(xorB(xorB(a, b), c));
      }
      List<Share> ands = andMany(lefts, rights);
      List<Share> next = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        Share c = cur.get(3 * g + 2);
        next.add(sums.get(g));
        next.add(shl(xorB(ands.get(g), c), 1));
      }
      next.addAll(cur.subList(3 * groups, cur.size()));
      cur = next;
    }
    return cur;
  }

  /** Boolean sum of boolean summands. */
  protected final Share addBool(List<Share> ops) {
    List<Share> two = reduceToTwo(ops);
    if (two.size() == 1) return two.get(0);
    Share a = two.get(0), b = two.get(1);
    Share g = prefixCarries(a, b);
    return xorB(xorB(a, b), shl(g, 1));
  }

  /**
   * Kogge-Stone prefix over (generate, propagate): returns G with bit i = carry out of bits 0..i
   * of a + b. Levels k = 1, 2, 4, ..., 32 each take one AND round (two ANDs merged).
   */
  protected final Share prefixCarries(Share a, Share b) {
    Share g = andB(a, b);
    Share p = xorB(a, b);
    for (int k = 1; k < K; k <<= 1) {
      Share gShift = shl(g, k);
      if (k < K / 2) {
        List<Share> r = andMany(List.of(p, p), List.of(gShift, shl(p, k)));
        g = xorB(g, r.get(0)); // G and P&G' never overlap, so XOR is OR
        p = r.get(1);
      } else {
        g = xorB(g, andB(p, gShift));
      }
    }
    return g;
  }

  /**
   * Boolean share with bit 0 = the sign bit of the sum of the summands: a63 ^ b63 ^ carry into
   * bit 63. The carry comes from a narrowing prefix tree over (generate, propagate) with bit 63
   * set to propagate only: each level combines adjacent groups and halves the width, and the surviving bits
   * are packed densely (64/w elements per long at width w), so level j ANDs only n/2^(j-1) longs:
   * about 3 AND-longs per element instead of 12 for a full Kogge-Stone adder, in the same 7 rounds.
   */
  protected final Share signBit(List<Share> ops) {
    List<Share> two = reduceToTwo(ops);
    if (two.size() == 1) return mask(shr(two.get(0), K - 1), 1L);
    Share a = two.get(0), b = two.get(1);
    Share sum = xorB(a, b);
    Share g = mask(andB(a, b), Long.MAX_VALUE);
    // Bit 63 kills nothing and generates nothing: its group generate is then the carry into bit 63.
    Share p = xorPublicB(mask(sum, Long.MAX_VALUE), RingTensor.fill(a.shape(), Long.MIN_VALUE));
    Share carries = unpackBits(carryTree(g, p), a.shape());
    return xorB(mask(shr(sum, K - 1), 1L), carries);
  }

  /**
   * {@link #signBit} with the result left packed: bit e % 64 of word e / 64 is element e's sign
   * (the carry tree's own output order), for a length that is a multiple of 64.
   */
  private Share signBitsPacked(List<Share> ops) {
    List<Share> two = reduceToTwo(ops);
    if (two.size() == 1) return two.get(0).map(BitPacking::packSigns);
    Share a = two.get(0), b = two.get(1);
    Share sum = xorB(a, b);
    Share g = mask(andB(a, b), Long.MAX_VALUE);
    Share p = xorPublicB(mask(sum, Long.MAX_VALUE), RingTensor.fill(a.shape(), Long.MIN_VALUE));
    return xorB(sum.map(BitPacking::packSigns), carryTree(g, p));
  }

  /** Group generate over all 64 bits of each element, packed one bit per element (width 1). */
  private Share carryTree(Share g, Share p) {
    for (int w = K; w > 1; w >>= 1) {
      // Unshuffled words hold the odd bits (the upper group of each pair) high, the even bits low.
      Share gu = g.map(BitPacking::unshuffle);
      Share pu = p.map(BitPacking::unshuffle);
      Share left = pu.map(BitPacking::oddTwice);                               // Po | Po
      Share right = zip(pu, gu, BitPacking::evenPropagateEvenGenerate);        // Pe | Ge
      Share t = andB(left, right);                                             // Po&Pe | Po&Ge
      g = zip(gu, t, BitPacking::nextGenerate);                                // Go ^ (Po & Ge)
      p = t.map(BitPacking::mergeHigh);                                        // Po & Pe
    }
    return g;
  }

  /** A local, part-wise combination of two shares (linear maps of XOR shares only). */
  protected static Share zip(Share a, Share b, java.util.function.BinaryOperator<RingTensor> f) {
    RingTensor[] parts = new RingTensor[a.numParts()];
    for (int i = 0; i < parts.length; i++) parts[i] = f.apply(a.part(i), b.part(i));
    return new Share(a.kind(), parts);
  }

  private static Share unpackBits(Share packed, Shape shape) {
    return packed.map(t -> BitPacking.unpackBits(t, shape));
  }

  /**
   * Boolean share with bit 0 = (w == 0): the AND of all inverted bits by a 6-level tree whose
   * levels AND the even against the odd bits of each element, packed densely, so the tree costs
   * about one AND-long per element in total.
   */
  protected final Share isZero(Share w) {
    Share v = notB(w);
    for (int width = K; width > 1; width >>= 1) {
      Share u = v.map(BitPacking::unshuffle);
      v = andB(u.map(BitPacking::mergeLow), u.map(BitPacking::mergeHigh));
    }
    return unpackBits(v, w.shape());
  }

  // ---- declared costs of the circuits above, from the protocol's cost of one AND round ----

  /** Cost of one AND round over {@code words} longs. */
  protected abstract Cost andCost(long words);

  private Cost andRounds(long[] words) {
    Cost c = Cost.FREE;
    for (long w : words) c = c.then(andCost(w));
    return c;
  }

  /** {@link #reduceToTwo}: one AND round per carry-save level. */
  protected final Cost reduceCost(int operands, long len) {
    Cost c = Cost.FREE;
    int ops = operands;
    while (ops > 2) {
      int groups = ops / 3;
      c = c.then(andCost(groups * len));
      ops -= groups;
    }
    return c;
  }

  /** {@link #addBool}: carry-save levels, then the Kogge-Stone prefix (1 + 5 double + 1 rounds). */
  protected final Cost adderCost(int operands, long len) {
    Cost c = reduceCost(operands, len);
    if (operands >= 2) c = c.then(andCost(len)).then(andCost(2 * len).times(5)).then(andCost(len));
    return c;
  }

  /** {@link #signBit} after the summands: carry-save levels, then the packed carry tree. */
  protected final Cost signBitCost(int operands, long len) {
    return reduceCost(operands, len).then(andRounds(signBitAndSizes(len)));
  }

  /**
   * {@link #allNegative} after the summands of its {@code operands} x {@code len} elements: the sign
   * bits over the padded operands, the packed AND tree, then the caller adds one bit injection of
   * {@code len}.
   */
  protected final Cost allNegativeSignsCost(int summands, long operands, long len) {
    long padded = paddedBits(len), words = padded / 64;
    Cost c = reduceCost(summands, operands * padded).then(andRounds(signBitAndSizes(operands * padded)));
    for (long k = operands; k > 1; k = (k + 1) / 2) c = c.then(andCost(k / 2 * words));
    return c;
  }

  /** {@link #isZero}: the packed 6-level AND tree. */
  protected final Cost zeroTestCost(long len) {
    return andRounds(zeroTestAndSizes(len));
  }

  /** AND sizes (in longs) of the sign-bit circuit's rounds for n elements, after the summands. */
  private static long[] signBitAndSizes(long n) {
    long[] r = new long[7];
    r[0] = n;
    long c = n;
    for (int j = 1; j < 7; j++) {
      r[j] = c;
      c = (c + 1) / 2;
    }
    return r;
  }

  /** AND sizes (in longs) of the zero test's 6 rounds for n elements. */
  private static long[] zeroTestAndSizes(long n) {
    long[] r = new long[6];
    long c = n;
    for (int j = 0; j < 6; j++) {
      c = (c + 1) / 2;
      r[j] = c;
    }
    return r;
  }
}

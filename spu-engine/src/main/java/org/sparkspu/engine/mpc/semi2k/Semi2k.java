package org.sparkspu.engine.mpc.semi2k;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.crypto.Seeds;
import org.sparkspu.engine.mpc.AbstractProtocol;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.ProtocolContext;
import org.sparkspu.engine.mpc.ProtocolContext.DealerMode;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * semi2k: n >= 2 parties, additive shares over Z_2^64, semi-honest with a dishonest majority
 * given a trusted dealer (as SPU's semi2k with its trusted-first-party beaver).
 *
 * <ul>
 *   <li>Inputs: every pair of parties holds a fresh pairwise seed, so the non-owners derive their
 *       shares from the seed they share with the owner and nothing is sent.
 *   <li>mul/matmul/and: Beaver triples (Beaver, CRYPTO'91) from {@link Semi2kDealer}; one round
 *       in which each party broadcasts its masked operands.
 *   <li>trunc: two parties truncate locally (SecureML, Mohassel-Zhang S&P'17, Thm. 1); more parties
 *       open x - r against a dealt pair (r, r >> f).
 *   <li>Bits to arithmetic: open b xor r against a dealt random bit held both ways.
 * </ul>
 */
public final class Semi2k extends AbstractProtocol {
  private static final String SEED_TAG = "semi2k.seed";

  private final Prg[] inputStreams; // per peer: the stream shared with it, for input sharing
  private final Prg correlations;   // this party's stream of triple/pair shares
  private final Prg local;          // private randomness (b2a masks)
  private final Semi2kDealer firstPartyDealer; // party 0 in trusted-first-party mode
  private final int dealerEndpoint;

  public Semi2k(ProtocolContext ctx) {
    super(ctx);
    this.local = new Prg(Prg.freshSeed(ctx.random()));
    // Pairwise seeds: the lower-numbered party of each pair draws it and sends it.
    byte[][] pairSeeds = new byte[n][];
    for (int j = self + 1; j < n; j++) {
      pairSeeds[j] = Prg.freshSeed(ctx.random());
      link.sendBytes(j, SEED_TAG, pairSeeds[j], true);
    }
    for (int j = 0; j < self; j++) pairSeeds[j] = link.recvBytes(j, SEED_TAG);
    inputStreams = new Prg[n];
    for (int j = 0; j < n; j++) if (j != self) inputStreams[j] = Seeds.prg(pairSeeds[j], "input");

    if (ctx.dealerMode() == DealerMode.THIRD_PARTY) {
      dealerEndpoint = n;
      correlations = new Prg(link.recvBytes(dealerEndpoint, Semi2kDealer.SEED_TAG));
      firstPartyDealer = null;
    } else {
      dealerEndpoint = -1;
      if (self == 0) {
        Prg[] streams = new Prg[n];
        streams[0] = new Prg(Prg.freshSeed(ctx.random()));
        for (int j = 1; j < n; j++) streams[j] = Seeds.prg(pairSeeds[j], "beaver");
        correlations = null; // party 0 takes all its draws from the dealer it runs
        firstPartyDealer = new Semi2kDealer(streams);
      } else {
        correlations = Seeds.prg(pairSeeds[0], "beaver");
        firstPartyDealer = null;
      }
    }
  }

  @Override
  public String name() {
    return "semi2k";
  }

  // ---- costs (rounds, online bytes summed over parties) ----

  private long pairs() {
    return (long) n * (n - 1);
  }

  @Override
  protected Cost andCost(long len) {
    return new Cost(1, pairs() * 16 * len);
  }

  @Override
  public Cost cost(Kernel kernel, long... dims) {
    long len = dims[0];
    return switch (kernel) {
      case INPUT -> Cost.FREE;
      case REVEAL -> new Cost(1, pairs() * 8 * len);
      case REVEAL_TO -> new Cost(1, (n - 1) * 8L * len);
      case MUL, AND, SELECT -> andCost(len);
      case MATMUL -> new Cost(1, pairs() * 8 * (dims[0] * dims[1] + dims[1] * dims[2]));
      case TRUNC -> n == 2 ? Cost.FREE : new Cost(1, pairs() * 8 * len);
      case BIT_B2A -> new Cost(1, pairs() * 8 * len);
      case A2B -> adderCost(n, len);
      case MSB, LESS -> signBitCost(n, len).then(cost(Kernel.BIT_B2A, len));
      case ALL_NEGATIVE -> allNegativeSignsCost(n, dims[1], len).then(cost(Kernel.BIT_B2A, len));
      case EQUAL -> (n == 2 ? Cost.FREE : adderCost(n, len)).then(zeroTestCost(len)).then(cost(Kernel.BIT_B2A, len));
      case B2A -> adderCost(n, len).then(cost(Kernel.REVEAL_TO, len));
    };
  }

  // ---- helpers ----

  private static Share arith(RingTensor t) {
    return new Share(Share.Kind.ARITH, t);
  }

  private static Share bool(RingTensor t) {
    return new Share(Share.Kind.BOOL, t);
  }

  private static RingTensor s(Share x) {
    return x.part(0);
  }

  /**
   * This party's arrays of one correlated item ({@code sizes} in draw order, the last being the
   * one party 0 gets as a correction). Parties i > 0 draw everything from their stream. Party 0
   * gets everything from its own dealer (first-party mode), or draws all but the last and asks the
   * third-party dealer for the last, leaving it null until {@link #completeItem} (so the request
   * overlaps the online exchange).
   */
  private long[][] drawItem(int kind, int[] args, int... sizes) {
    long[][] item = new long[sizes.length][];
    if (self == 0 && firstPartyDealer != null) {
      ByteBuffer b = ByteBuffer.wrap(Semi2kDealer.request(kind, args));
      b.getInt();
      return firstPartyDealer.deal(kind, b);
    }
    int own = self == 0 ? sizes.length - 1 : sizes.length;
    for (int i = 0; i < own; i++) item[i] = correlations.next(sizes[i]);
    if (self == 0) link.sendBytes(dealerEndpoint, Semi2kDealer.REQUEST_TAG, Semi2kDealer.request(kind, args), true);
    return item;
  }

  private long[][] completeItem(long[][] item) {
    if (item[item.length - 1] == null) item[item.length - 1] = link.recv(dealerEndpoint, Semi2kDealer.CORRECTION_TAG);
    return item;
  }

  /** Sends this party's tensor to every peer and returns the sum (or XOR) of everyone's. */
  private long[] openAll(String tag, long[] mine, boolean xor) {
    for (int p = 0; p < n; p++) if (p != self) link.send(p, tag, mine);
    return combineWithPeers(tag, mine, xor);
  }

  /** Opens to one party only: the others send and get null. */
  private long[] openTo(String tag, long[] mine, int receiver, boolean xor) {
    if (self != receiver) {
      link.send(receiver, tag, mine);
      return null;
    }
    return combineWithPeers(tag, mine, xor);
  }

  /** This party's tensor combined with every peer's, received under {@code tag}. */
  private long[] combineWithPeers(String tag, long[] mine, boolean xor) {
    long[] acc = mine.clone();
    for (int p = 0; p < n; p++) {
      if (p == self) continue;
      long[] other = link.recv(p, tag);
      if (xor) for (int i = 0; i < acc.length; i++) acc[i] ^= other[i];
      else for (int i = 0; i < acc.length; i++) acc[i] += other[i];
    }
    return acc;
  }

  // ---- values in and out ----

  @Override
  public Share input(int owner, RingTensor value, Shape shape) {
    return kernel("input", shape.size(), () -> {
      int len = shape.size();
      if (self != owner) return arith(RingTensor.wrap(inputStreams[owner].next(len), shape));
      checkOwnedInput(owner, value, shape);
      long[] mine = value.data().clone();
      long[] t = new long[len];
      for (int p = 0; p < n; p++) {
        if (p == self) continue;
        inputStreams[p].fill(t, 0, len);
        for (int i = 0; i < len; i++) mine[i] -= t[i];
      }
      return arith(RingTensor.wrap(mine, shape));
    });
  }

  @Override
  public Share constant(RingTensor value) {
    return arith(self == 0 ? value : RingTensor.zeros(value.shape()));
  }

  @Override
  public RingTensor reveal(Share x) {
    return kernel("reveal", x.size(), () -> RingTensor.wrap(openAll("semi2k.reveal", s(x).data(), false), x.shape()));
  }

  @Override
  public RingTensor revealTo(Share x, int receiver) {
    return kernel("reveal_to", x.size(), () -> {
      long[] v = openTo("semi2k.reveal_to", s(x).data(), receiver, false);
      return v == null ? null : RingTensor.wrap(v, x.shape());
    });
  }

  // ---- local arithmetic ----

  @Override
  public Share add(Share a, Share b) {
    return arith(s(a).add(s(b)));
  }

  @Override
  public Share sub(Share a, Share b) {
    return arith(s(a).sub(s(b)));
  }

  @Override
  public Share neg(Share a) {
    return arith(s(a).neg());
  }

  @Override
  public Share addPublic(Share a, RingTensor c) {
    return self == 0 ? arith(s(a).add(c)) : a;
  }

  @Override
  public Share mulPublic(Share a, RingTensor c) {
    return arith(s(a).mul(c));
  }

  @Override
  public Share matmulPublic(Share a, RingTensor b) {
    return arith(s(a).matmul(b));
  }

  @Override
  public Share publicMatmul(RingTensor a, Share b) {
    return arith(a.matmul(s(b)));
  }

  // ---- Beaver multiplication ----

  @Override
  public Share mul(Share x, Share y) {
    checkSameShape(x, y);
    return kernel("mul", x.size(), () -> {
      int len = x.size();
      long[][] item = drawItem(Semi2kDealer.MUL, new int[] {len}, len, len, len);
      long[] a = item[0], b = item[1];
      long[] xs = s(x).data(), ys = s(y).data();
      long[] ef = new long[2 * len];
      for (int i = 0; i < len; i++) {
        ef[i] = xs[i] - a[i];
        ef[len + i] = ys[i] - b[i];
      }
      long[] open = openAll("semi2k.mul", ef, false);
      long[] c = completeItem(item)[2];
      long[] z = new long[len];
      for (int i = 0; i < len; i++) {
        long e = open[i], f = open[len + i];
        z[i] = c[i] + e * b[i] + f * a[i] + (self == 0 ? e * f : 0);
      }
      return arith(RingTensor.wrap(z, x.shape()));
    });
  }

  @Override
  public Share matmul(Share x, Share y) {
    Shape sx = x.shape(), sy = y.shape();
    if (sx.rank() != 2 || sy.rank() != 2 || sx.dim(1) != sy.dim(0)) {
      throw new IllegalArgumentException("matmul shapes do not agree: " + sx + " . " + sy);
    }
    int m = sx.dim(0), k = sx.dim(1), nn = sy.dim(1);
    return kernel("matmul", (long) m * nn, () -> {
      long[][] item = drawItem(Semi2kDealer.MATMUL, new int[] {m, k, nn}, m * k, k * nn, m * nn);
      RingTensor a = RingTensor.wrap(item[0], sx);
      RingTensor b = RingTensor.wrap(item[1], sy);
      RingTensor e = s(x).sub(a), f = s(y).sub(b);
      long[] open = openAll("semi2k.matmul", RingTensor.concat(List.of(e, f)).data(), false);
      List<RingTensor> ef = RingTensor.wrap(open, Shape.vector(open.length)).split(List.of(sx, sy));
      RingTensor eo = ef.get(0), fo = ef.get(1);
      long[] c = completeItem(item)[2];
      RingTensor z = RingTensor.wrap(c, Shape.of(m, nn)).add(eo.matmul(b)).add(a.matmul(fo));
      if (self == 0) z = z.add(eo.matmul(fo));
      return arith(z);
    });
  }

  @Override
  public Share andB(Share x, Share y) {
    checkSameShape(x, y);
    return kernel("and", x.size(), () -> {
      int len = x.size();
      long[][] item = drawItem(Semi2kDealer.AND, new int[] {len}, len, len, len);
      long[] a = item[0], b = item[1];
      long[] xs = s(x).data(), ys = s(y).data();
      long[] ef = new long[2 * len];
      for (int i = 0; i < len; i++) {
        ef[i] = xs[i] ^ a[i];
        ef[len + i] = ys[i] ^ b[i];
      }
      long[] open = openAll("semi2k.and", ef, true);
      long[] c = completeItem(item)[2];
      long[] z = new long[len];
      for (int i = 0; i < len; i++) {
        long e = open[i], f = open[len + i];
        z[i] = c[i] ^ (e & b[i]) ^ (f & a[i]) ^ (self == 0 ? e & f : 0);
      }
      return bool(RingTensor.wrap(z, x.shape()));
    });
  }

  @Override
  public Share trunc(Share x, int bits) {
    return kernel("trunc", x.size(), () -> {
      if (n == 2) {
        // SecureML: party 0 shifts its share, party 1 shifts the negation of its share.
        RingTensor v = s(x);
        return arith(self == 0 ? v.shiftRightArith(bits) : v.neg().shiftRightArith(bits).neg());
      }
      int len = x.size();
      long[][] item = drawItem(Semi2kDealer.TRUNC, new int[] {len, bits}, len, len);
      long[] masked = s(x).sub(RingTensor.wrap(item[0], x.shape())).data();
      long[] c = openAll("semi2k.trunc", masked, false);
      long[] rt = completeItem(item)[1];
      long[] z = rt.clone();
      if (self == 0) for (int i = 0; i < len; i++) z[i] += c[i] >> bits;
      return arith(RingTensor.wrap(z, x.shape()));
    });
  }

  // ---- boolean ----

  @Override
  public Share xorB(Share a, Share b) {
    return bool(s(a).xor(s(b)));
  }

  @Override
  public Share xorPublicB(Share a, RingTensor c) {
    return self == 0 ? bool(s(a).xor(c)) : bool(s(a));
  }

  @Override
  public Share andPublicB(Share a, RingTensor c) {
    return bool(s(a).and(c));
  }

  @Override
  protected List<Share> summands(Share x) {
    // Party i's additive share is the i-th summand, boolean-shared as (x_i at party i, 0 elsewhere).
    List<Share> ops = new ArrayList<>(n);
    RingTensor zero = RingTensor.zeros(x.shape());
    for (int i = 0; i < n; i++) ops.add(bool(i == self ? s(x) : zero));
    return ops;
  }

  @Override
  protected Share zeroTestOperand(Share z) {
    if (n == 2) {
      // z = z0 + z1 is zero iff z0 == -z1, i.e. iff z0 xor (-z1) == 0: XOR-shared already.
      return bool(self == 0 ? s(z) : s(z).neg());
    }
    return addBool(summands(z));
  }

  @Override
  public Share bitToArith(Share b) {
    return kernel("bit_b2a", b.size(), () -> {
      int len = b.size();
      long[][] item = drawItem(Semi2kDealer.BIT, new int[] {len}, len, len);
      long[] rBit = item[0]; // the dealer keeps only the low bit of party 0's draw; others mask here
      long[] mine = s(b).data();
      long[] masked = new long[len];
      for (int i = 0; i < len; i++) masked[i] = (mine[i] & 1L) ^ (rBit[i] & 1L);
      long[] c = openAll("semi2k.bit_b2a", masked, true);
      long[] sArith = completeItem(item)[1];
      long[] z = new long[len];
      // b = c xor r = c + r - 2cr = c + r(1 - 2c)
      for (int i = 0; i < len; i++) z[i] = sArith[i] * (1 - 2 * c[i]) + (self == 0 ? c[i] : 0);
      return arith(RingTensor.wrap(z, b.shape()));
    });
  }

  @Override
  public Share b2a(Share x) {
    return kernel("b2a", x.size(), () -> {
      // Parties 1..n-1 pick random y_i; the boolean circuit computes x - sum y_i, opened to party 0 only.
      int len = x.size();
      RingTensor zero = RingTensor.zeros(x.shape());
      RingTensor y = self == 0 ? zero : RingTensor.wrap(local.next(len), x.shape());
      List<Share> ops = new ArrayList<>();
      ops.add(x);
      for (int i = 1; i < n; i++) ops.add(bool(i == self ? y.neg() : zero));
      Share diff = addBool(ops);
      long[] y0 = openTo("semi2k.b2a", s(diff).data(), 0, true);
      return arith(self == 0 ? RingTensor.wrap(y0, x.shape()) : y);
    });
  }

  @Override
  public void close() {
    if (self == 0 && dealerEndpoint >= 0) {
      link.sendBytes(dealerEndpoint, Semi2kDealer.REQUEST_TAG, Semi2kDealer.request(Semi2kDealer.CLOSE), true);
    }
  }
}

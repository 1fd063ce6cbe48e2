package org.sparkspu.engine.mpc.aby3;

import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.mpc.AbstractProtocol;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.ProtocolContext;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * ABY3 (Mohassel-Rindal, CCS'18): three parties, replicated 2-out-of-3 sharing over Z_2^64,
 * semi-honest security with an honest majority (any one party learns nothing; two colluding
 * parties learn everything).
 *
 * <p>x = x_0 + x_1 + x_2 and party i holds (x_i, x_(i+1)). At session start party i draws seed
 * s_i and gives it to party i-1, so party i holds s_i and s_(i+1): the stream of s_j is known to
 * parties j and j-1. From these come zero sharings (alpha_i = PRG(s_i) - PRG(s_(i+1))) and
 * randomness common to a pair, with no messages. Multiplication is one round in which each party
 * sends one ring element per product to its predecessor (ABY3 §3.2); truncation is ABY3's
 * Π_trunc1 (§5.1.1); A2B/MSB go through a Kogge-Stone adder on bit-sliced boolean shares (§5.3).
 */
public final class Aby3 extends AbstractProtocol {
  private static final String SEED_TAG = "aby3.seed";
  private final Prg streamSelf; // s_self: shared with the previous party
  private final Prg streamNext; // s_(self+1): shared with the next party

  public Aby3(ProtocolContext ctx) {
    super(ctx);
    if (n != 3) throw new IllegalArgumentException("aby3 needs exactly 3 parties, got " + n);
    byte[] mine = Prg.freshSeed(ctx.random());
    link.sendBytes(prev(), SEED_TAG, mine, true);
    byte[] next = link.recvBytes(next(), SEED_TAG);
    streamSelf = new Prg(mine);
    streamNext = new Prg(next);
  }

  @Override
  public String name() {
    return "aby3";
  }

  private int next() {
    return (self + 1) % 3;
  }

  private int prev() {
    return (self + 2) % 3;
  }

  // ---- costs ----

  private static Cost ring(int rounds, long elements) {
    return new Cost(rounds, 8 * elements);
  }

  @Override
  protected Cost andCost(long len) {
    return ring(1, 3 * len);
  }

  @Override
  public Cost cost(Kernel kernel, long... dims) {
    long len = dims[0];
    Cost reshare = ring(1, len);
    Cost bit = reshare.then(andCost(len)); // arithmetic input of one bit, then one product
    return switch (kernel) {
      case INPUT, REVEAL_TO, TRUNC -> ring(1, len);
      case REVEAL, MUL, AND, SELECT -> andCost(len);
      case MATMUL -> ring(1, 3 * dims[0] * dims[2]);
      case BIT_B2A -> bit;
      case A2B -> reshare.then(adderCost(2, len));
      case MSB, LESS -> reshare.then(signBitCost(2, len)).then(bit);
      // Rounds as if nothing overlapped: an upper bound (the one-way messages may overlap the AND tree's).
      case ALL_NEGATIVE -> ring(1, dims[1] * ((len + 63) / 64 * 64)).then(allNegativeSignsCost(2, dims[1], len)).then(bit);
      // Both one-way messages (the reshare and the bit's input) go from party 0 to party 1 and
      // overlap the AND tree's message chain: 8 rounds on the critical path, not 9.
      case EQUAL -> new Cost(8, reshare.then(zeroTestCost(len)).then(bit).bytes());
      // The reshare reaches only party 2 and the final opening runs between parties 0 and 2, so
      // both overlap the adder's message chain: 8 rounds on the critical path, not 9.
      case B2A -> new Cost(8, reshare.then(adderCost(2, len)).then(ring(1, 2 * len)).bytes());
    };
  }

  // ---- layout helpers ----

  private static Share arith(RingTensor a, RingTensor b) {
    return new Share(Share.Kind.ARITH, a, b);
  }

  private static Share bool(RingTensor a, RingTensor b) {
    return new Share(Share.Kind.BOOL, a, b);
  }

  /** This party's pair from the three components (null components are zero). */
  private Share fromComponents(Share.Kind kind, Shape shape, RingTensor c0, RingTensor c1, RingTensor c2) {
    RingTensor[] c = {c0, c1, c2};
    RingTensor first = c[self] == null ? RingTensor.zeros(shape) : c[self];
    RingTensor second = c[next()] == null ? RingTensor.zeros(shape) : c[next()];
    return new Share(kind, first, second);
  }

  /** Draws from the stream of s_j (known to parties j and j-1); the third party draws nothing. */
  private long[] pairRandom(int j, int len) {
    if (self == j) return streamSelf.next(len);
    if (self == (j + 2) % 3) return streamNext.next(len);
    return null;
  }

  /**
   * Shares a value that party {@code owner} holds: component owner = r (common to owner and its
   * predecessor), component owner+1 = v - r (or v xor r), sent to the next party, component
   * owner+2 = 0. One message of n elements.
   */
  private Share shareFrom(int owner, RingTensor v, Shape shape, Share.Kind kind, String tag) {
    return shareFromMany(kind, new int[] {owner}, new RingTensor[] {v}, new Shape[] {shape}, tag).get(0);
  }

  /**
   * Several {@link #shareFrom} inputs in one round: every owner draws and sends first, then every
   * receiver receives (the PRG draws happen in the same order at every party).
   */
  private List<Share> shareFromMany(Share.Kind kind, int[] owners, RingTensor[] values, Shape[] shapes, String tag) {
    int k = owners.length;
    RingTensor[][] comps = new RingTensor[k][3];
    for (int i = 0; i < k; i++) {
      int owner = owners[i];
      long[] r = pairRandom(owner, shapes[i].size());
      if (r != null) comps[i][owner] = RingTensor.wrap(r, shapes[i]);
      int c1 = (owner + 1) % 3;
      if (self == owner) {
        comps[i][c1] = kind == Share.Kind.ARITH ? values[i].sub(comps[i][owner]) : values[i].xor(comps[i][owner]);
        link.send(c1, tag, comps[i][c1].data());
      }
    }
    List<Share> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      int owner = owners[i], c1 = (owner + 1) % 3;
      if (self == c1) comps[i][c1] = RingTensor.wrap(link.recv(owner, tag), shapes[i]);
      out.add(fromComponents(kind, shapes[i], comps[i][0], comps[i][1], comps[i][2]));
    }
    return out;
  }

  @Override
  public List<Share> inputs(int[] owners, RingTensor[] values, Shape[] shapes) {
    return kernel("input", totalSize(shapes), () -> {
      for (int i = 0; i < owners.length; i++) checkOwnedInput(owners[i], values[i], shapes[i]);
      return shareFromMany(Share.Kind.ARITH, owners, values, shapes, "aby3.input");
    });
  }

  /** Component 2 alone: a value known to parties 1 and 2 (party 1's second, party 2's first part). */
  private Share componentTwo(Share.Kind kind, Shape shape, RingTensor v) {
    return fromComponents(kind, shape, null, null, self == 0 ? null : v);
  }

  // ---- values in and out ----

  @Override
  public Share input(int owner, RingTensor value, Shape shape) {
    return inputs(new int[] {owner}, new RingTensor[] {value}, new Shape[] {shape}).get(0);
  }

  @Override
  public Share constant(RingTensor value) {
    return fromComponents(Share.Kind.ARITH, value.shape(), value, null, null);
  }

  @Override
  public RingTensor reveal(Share x) {
    return kernel("reveal", x.size(), () -> {
      // Party i lacks component i+2, which party i+2 = i-1 holds first: everyone sends its first part on.
      link.send(next(), "aby3.reveal", x.part(0).data());
      RingTensor missing = RingTensor.wrap(link.recv(prev(), "aby3.reveal"), x.shape());
      return combine(x, missing);
    });
  }

  @Override
  public RingTensor revealTo(Share x, int receiver) {
    return kernel("reveal_to", x.size(), () -> {
      int sender = (receiver + 2) % 3;
      if (self == sender) link.send(receiver, "aby3.reveal_to", x.part(0).data());
      if (self != receiver) return null;
      return combine(x, RingTensor.wrap(link.recv(sender, "aby3.reveal_to"), x.shape()));
    });
  }

  private static RingTensor combine(Share x, RingTensor missing) {
    return x.kind() == Share.Kind.ARITH
        ? x.part(0).add(x.part(1)).add(missing)
        : x.part(0).xor(x.part(1)).xor(missing);
  }

  // ---- local arithmetic ----

  @Override
  public Share add(Share a, Share b) {
    return arith(a.part(0).add(b.part(0)), a.part(1).add(b.part(1)));
  }

  @Override
  public Share sub(Share a, Share b) {
    return arith(a.part(0).sub(b.part(0)), a.part(1).sub(b.part(1)));
  }

  @Override
  public Share neg(Share a) {
    return arith(a.part(0).neg(), a.part(1).neg());
  }

  @Override
  public Share addPublic(Share a, RingTensor c) {
    // Add c to component 0: party 0's first part and party 2's second part.
    if (self == 0) return arith(a.part(0).add(c), a.part(1));
    if (self == 2) return arith(a.part(0), a.part(1).add(c));
    return a;
  }

  @Override
  public Share mulPublic(Share a, RingTensor c) {
    return arith(a.part(0).mul(c), a.part(1).mul(c));
  }

  @Override
  public Share matmulPublic(Share a, RingTensor b) {
    return arith(a.part(0).matmul(b), a.part(1).matmul(b));
  }

  @Override
  public Share publicMatmul(RingTensor a, Share b) {
    return arith(a.matmul(b.part(0)), a.matmul(b.part(1)));
  }

  // ---- multiplication ----

  @Override
  public Share mul(Share x, Share y) {
    checkSameShape(x, y);
    return kernel("mul", x.size(), () -> {
      int len = x.size();
      long[] x0 = x.part(0).data(), x1 = x.part(1).data(), y0 = y.part(0).data(), y1 = y.part(1).data();
      long[] z = streamSelf.next(len);
      long[] t = streamNext.next(len);
      for (int i = 0; i < len; i++) {
        // z_i = x_i y_i + x_i y_(i+1) + x_(i+1) y_i + alpha_i, alpha_i = PRG(s_i) - PRG(s_(i+1))
        z[i] += x0[i] * (y0[i] + y1[i]) + x1[i] * y0[i] - t[i];
      }
      return exchange("aby3.mul", z, x.shape(), Share.Kind.ARITH);
    });
  }

  /** Sends z_i to the previous party and receives z_(i+1) from the next: one round. */
  private Share exchange(String tag, long[] z, Shape shape, Share.Kind kind) {
    link.send(prev(), tag, z);
    long[] other = link.recv(next(), tag);
    return new Share(kind, RingTensor.wrap(z, shape), RingTensor.wrap(other, shape));
  }

  @Override
  public Share matmul(Share x, Share y) {
    Shape sx = x.shape(), sy = y.shape();
    if (sx.rank() != 2 || sy.rank() != 2 || sx.dim(1) != sy.dim(0)) {
      throw new IllegalArgumentException("matmul shapes do not agree: " + sx + " . " + sy);
    }
    int m = sx.dim(0), nn = sy.dim(1);
    return kernel("matmul", (long) m * nn, () -> {
      // X_i (Y_i + Y_(i+1)) + X_(i+1) Y_i: two local products instead of three
      RingTensor z = x.part(0).matmul(y.part(0).add(y.part(1))).add(x.part(1).matmul(y.part(0)));
      long[] zs = z.data();
      long[] t = streamNext.next(zs.length);
      long[] a = streamSelf.next(zs.length);
      long[] out = new long[zs.length];
      for (int i = 0; i < out.length; i++) out[i] = zs[i] + a[i] - t[i];
      return exchange("aby3.matmul", out, Shape.of(m, nn), Share.Kind.ARITH);
    });
  }

  @Override
  public Share trunc(Share x, int bits) {
    return kernel("trunc", x.size(), () -> {
      // ABY3 Π_trunc1: view x as the 2-party sharing (x_0 + x_1 at party 0, x_2 at parties 1 and 2),
      // truncate each side locally (SecureML), then re-randomise into a replicated sharing.
      Shape shape = x.shape();
      int len = x.size();
      long[] r = pairRandom(1, len); // common to parties 0 and 1
      RingTensor[] comp = new RingTensor[3];
      if (r != null) comp[1] = RingTensor.wrap(r, shape);
      if (self == 0) {
        RingTensor a = x.part(0).add(x.part(1)).shiftRightArith(bits);
        comp[0] = a.sub(comp[1]);
        link.send(2, "aby3.trunc", comp[0].data());
      } else {
        RingTensor x2 = self == 1 ? x.part(1) : x.part(0);
        comp[2] = x2.neg().shiftRightArith(bits).neg();
        if (self == 2) comp[0] = RingTensor.wrap(link.recv(0, "aby3.trunc"), shape);
      }
      return fromComponents(Share.Kind.ARITH, shape, comp[0], comp[1], comp[2]);
    });
  }

  // ---- boolean ----

  @Override
  public Share xorB(Share a, Share b) {
    return bool(a.part(0).xor(b.part(0)), a.part(1).xor(b.part(1)));
  }

  @Override
  public Share andB(Share x, Share y) {
    checkSameShape(x, y);
    return kernel("and", x.size(), () -> {
      int len = x.size();
      long[] x0 = x.part(0).data(), x1 = x.part(1).data(), y0 = y.part(0).data(), y1 = y.part(1).data();
      long[] z = streamSelf.next(len);
      long[] t = streamNext.next(len);
      for (int i = 0; i < len; i++) z[i] ^= (x0[i] & (y0[i] ^ y1[i])) ^ (x1[i] & y0[i]) ^ t[i];
      return exchange("aby3.and", z, x.shape(), Share.Kind.BOOL);
    });
  }

  @Override
  public Share xorPublicB(Share a, RingTensor c) {
    if (self == 0) return bool(a.part(0).xor(c), a.part(1));
    if (self == 2) return bool(a.part(0), a.part(1).xor(c));
    return a;
  }

  @Override
  public Share andPublicB(Share a, RingTensor c) {
    return bool(a.part(0).and(c), a.part(1).and(c));
  }

  @Override
  protected List<Share> summands(Share x) {
    // Party 0 knows x_0 + x_1 and reshares it as a boolean value; x_2 is already held by parties 1 and 2.
    Shape shape = x.shape();
    RingTensor v = self == 0 ? x.part(0).add(x.part(1)) : null;
    Share first = shareFrom(0, v, shape, Share.Kind.BOOL, "aby3.reshare");
    RingTensor x2 = self == 1 ? x.part(1) : self == 2 ? x.part(0) : null;
    return List.of(first, componentTwo(Share.Kind.BOOL, shape, x2));
  }

  @Override
  protected Share zeroTestOperand(Share z) {
    // z == 0 iff z_0 + z_1 == -z_2 iff (z_0 + z_1) xor (-z_2) == 0.
    Shape shape = z.shape();
    RingTensor v = self == 0 ? z.part(0).add(z.part(1)) : null;
    Share first = shareFrom(0, v, shape, Share.Kind.BOOL, "aby3.reshare");
    RingTensor negZ2 = self == 1 ? z.part(1).neg() : self == 2 ? z.part(0).neg() : null;
    return xorB(first, componentTwo(Share.Kind.BOOL, shape, negZ2));
  }

  @Override
  public Share bitToArith(Share b) {
    return kernel("bit_b2a", b.size(), () -> {
      // b = t xor b_2 with t = b_0 xor b_1 known to party 0: share t arithmetically (one message),
      // then t xor b_2 = t + b_2 - 2 t b_2 with one multiplication.
      Shape shape = b.shape();
      RingTensor t = self == 0 ? b.part(0).xor(b.part(1)).andScalar(1L) : null;
      Share ta = shareFrom(0, t, shape, Share.Kind.ARITH, "aby3.bit");
      RingTensor b2 = self == 1 ? b.part(1).andScalar(1L) : self == 2 ? b.part(0).andScalar(1L) : null;
      Share b2a = componentTwo(Share.Kind.ARITH, shape, b2);
      Share prod = mul(ta, b2a);
      return sub(add(ta, b2a), add(prod, prod));
    });
  }

  @Override
  public Share b2a(Share x) {
    return kernel("b2a", x.size(), () -> {
      // Components 1 and 2 of the result are random (from s_1 and s_2); party 1 knows both and
      // reshares u = -(y_1 + y_2) as a boolean value; the adder yields y_0 = x - y_1 - y_2, which is
      // opened to its holders, parties 0 and 2 (ABY3 §5.3).
      Shape shape = x.shape();
      int len = x.size();
      long[] y1 = pairRandom(1, len);
      long[] y2 = pairRandom(2, len);
      RingTensor u = null;
      if (self == 1) u = RingTensor.wrap(y1, shape).add(RingTensor.wrap(y2, shape)).neg();
      Share ub = shareFrom(1, u, shape, Share.Kind.BOOL, "aby3.b2a.reshare");
      Share y0b = addBool(List.of(x, ub));
      // Party 0 needs component 2 (party 2's first part); party 2 needs component 1 (party 0's second).
      RingTensor y0 = null;
      if (self == 0) {
        link.send(2, "aby3.b2a.open", y0b.part(1).data());
        y0 = y0b.part(0).xor(y0b.part(1)).xor(RingTensor.wrap(link.recv(2, "aby3.b2a.open"), shape));
      } else if (self == 2) {
        link.send(0, "aby3.b2a.open", y0b.part(0).data());
        y0 = y0b.part(0).xor(y0b.part(1)).xor(RingTensor.wrap(link.recv(0, "aby3.b2a.open"), shape));
      }
      return fromComponents(Share.Kind.ARITH, shape, y0,
          y1 == null ? null : RingTensor.wrap(y1, shape), y2 == null ? null : RingTensor.wrap(y2, shape));
    });
  }
}

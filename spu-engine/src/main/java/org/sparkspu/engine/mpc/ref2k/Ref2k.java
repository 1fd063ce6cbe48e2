package org.sparkspu.engine.mpc.ref2k;

import java.util.List;
import org.sparkspu.engine.mpc.AbstractProtocol;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.ProtocolContext;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Plaintext "protocol" with the secret protocols' API: every party holds every value in the
 * clear. For checking and debugging only; it offers no security at all. A private input is sent
 * to every party; everything else is local. Comparisons use the same definitions as the secret
 * protocols (sign bit of the difference), so results match them bit for bit.
 */
public final class Ref2k extends AbstractProtocol {
  public Ref2k(ProtocolContext ctx) {
    super(ctx);
  }

  @Override
  public String name() {
    return "ref2k";
  }

  @Override
  public Cost cost(Kernel kernel, long... dims) {
    if (kernel == Kernel.INPUT) return new Cost(1, 8L * dims[0] * (n - 1));
    return Cost.FREE;
  }

  @Override
  protected Cost andCost(long words) {
    return Cost.FREE;
  }

  private static Share a(RingTensor t) {
    return new Share(Share.Kind.ARITH, t);
  }

  private static Share b(RingTensor t) {
    return new Share(Share.Kind.BOOL, t);
  }

  private static RingTensor v(Share s) {
    return s.part(0);
  }

  @Override
  public Share input(int owner, RingTensor value, Shape shape) {
    return inputs(new int[] {owner}, new RingTensor[] {value}, new Shape[] {shape}).get(0);
  }

  @Override
  public List<Share> inputs(int[] owners, RingTensor[] values, Shape[] shapes) {
    return kernel("input", totalSize(shapes), () -> {
      for (int i = 0; i < owners.length; i++) {
        checkOwnedInput(owners[i], values[i], shapes[i]);
        if (self == owners[i]) for (int p = 0; p < n; p++) if (p != self) link.send(p, "ref2k.input", values[i].data());
      }
      List<Share> out = new java.util.ArrayList<>(owners.length);
      for (int i = 0; i < owners.length; i++) {
        out.add(self == owners[i] ? a(values[i]) : a(RingTensor.wrap(link.recv(owners[i], "ref2k.input"), shapes[i])));
      }
      return out;
    });
  }

  @Override
  public Share constant(RingTensor value) {
    return a(value);
  }

  @Override
  public RingTensor reveal(Share x) {
    return v(x);
  }

  @Override
  public RingTensor revealTo(Share x, int receiver) {
    return self == receiver ? v(x) : null;
  }

  @Override
  public Share add(Share x, Share y) {
    return a(v(x).add(v(y)));
  }

  @Override
  public Share sub(Share x, Share y) {
    return a(v(x).sub(v(y)));
  }

  @Override
  public Share neg(Share x) {
    return a(v(x).neg());
  }

  @Override
  public Share addPublic(Share x, RingTensor c) {
    return a(v(x).add(c));
  }

  @Override
  public Share mulPublic(Share x, RingTensor c) {
    return a(v(x).mul(c));
  }

  @Override
  public Share matmulPublic(Share x, RingTensor c) {
    return a(v(x).matmul(c));
  }

  @Override
  public Share publicMatmul(RingTensor c, Share x) {
    return a(c.matmul(v(x)));
  }

  @Override
  public Share mul(Share x, Share y) {
    return a(v(x).mul(v(y)));
  }

  @Override
  public Share matmul(Share x, Share y) {
    return a(v(x).matmul(v(y)));
  }

  @Override
  public Share trunc(Share x, int bits) {
    return a(v(x).shiftRightArith(bits));
  }

  @Override
  public Share xorB(Share x, Share y) {
    return b(v(x).xor(v(y)));
  }

  @Override
  public Share andB(Share x, Share y) {
    return b(v(x).and(v(y)));
  }

  @Override
  public Share xorPublicB(Share x, RingTensor c) {
    return b(v(x).xor(c));
  }

  @Override
  public Share andPublicB(Share x, RingTensor c) {
    return b(v(x).and(c));
  }

  @Override
  public Share a2b(Share x) {
    return b(v(x));
  }

  @Override
  public Share b2a(Share x) {
    return a(v(x));
  }

  @Override
  public Share bitToArith(Share x) {
    return a(v(x).andScalar(1L));
  }

  @Override
  public Share msb(Share x) {
    return a(v(x).shiftRightLogical(63));
  }

  @Override
  public Share lessThan(Share x, Share y) {
    return a(v(x).sub(v(y)).shiftRightLogical(63));
  }

  @Override
  public Share equal(Share x, Share y) {
    long[] d = v(x).sub(v(y)).data();
    long[] r = new long[d.length];
    for (int i = 0; i < d.length; i++) r[i] = d[i] == 0 ? 1 : 0;
    return a(RingTensor.wrap(r, x.shape()));
  }

  @Override
  public Share select(Share c, Share x, Share y) {
    return a(v(y).add(v(c).mul(v(x).sub(v(y)))));
  }

  @Override
  protected List<Share> summands(Share x) {
    return List.of(b(v(x)));
  }

  @Override
  protected Share zeroTestOperand(Share z) {
    return b(v(z));
  }
}

package org.sparkspu.engine.hal;

import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * A stand-in protocol that runs a function's control flow on zeros and records the communicating
 * kernels it calls with their sizes, without any link. The fixed-point functions are oblivious, so
 * the recorded sequence is exactly what the real protocol will run; its cost is the sum of the real
 * protocol's declared kernel costs.
 */
final class CostProbe implements Protocol {
  /** One recorded kernel call: element count (matmul: m, k, n). */
  record Call(Kernel kernel, long[] dims) {}

  private final Protocol real;
  private final List<Call> calls = new ArrayList<>();

  CostProbe(Protocol real) {
    this.real = real;
  }

  List<Call> calls() {
    return calls;
  }

  private Share zeros(Shape s) {
    return new Share(Share.Kind.ARITH, RingTensor.zeros(s));
  }

  private Share record(Kernel k, Shape out, long... dims) {
    calls.add(new Call(k, dims));
    return zeros(out);
  }

  private static Share like(Share a) {
    return new Share(a.kind(), RingTensor.zeros(a.shape()));
  }

  @Override public String name() { return real.name(); }
  @Override public int parties() { return real.parties(); }
  @Override public int self() { return 0; }
  /** Named only because Protocol's API returns a Prg; the functions here never draw from it. */
  @Override public Prg publicRandom() { return real.publicRandom(); }
  @Override public Cost cost(Kernel kernel, long... dims) { return real.cost(kernel, dims); }

  @Override public Share input(int owner, RingTensor v, Shape shape) { return record(Kernel.INPUT, shape, shape.size()); }
  @Override public List<Share> inputs(int[] owners, RingTensor[] vs, Shape[] shapes) {
    long total = 0;
    List<Share> out = new ArrayList<>();
    for (Shape s : shapes) {
      total += s.size();
      out.add(zeros(s));
    }
    calls.add(new Call(Kernel.INPUT, new long[] {total}));
    return out;
  }
  @Override public Share constant(RingTensor value) { return zeros(value.shape()); }
  @Override public RingTensor reveal(Share x) {
    calls.add(new Call(Kernel.REVEAL, new long[] {x.size()}));
    return RingTensor.zeros(x.shape());
  }
  @Override public RingTensor revealTo(Share x, int receiver) {
    calls.add(new Call(Kernel.REVEAL_TO, new long[] {x.size()}));
    return receiver == 0 ? RingTensor.zeros(x.shape()) : null;
  }
  @Override public Share add(Share a, Share b) { return like(a); }
  @Override public Share sub(Share a, Share b) { return like(a); }
  @Override public Share neg(Share a) { return like(a); }
  @Override public Share addPublic(Share a, RingTensor c) { return like(a); }
  @Override public Share mulPublic(Share a, RingTensor c) { return like(a); }
  @Override public Share matmulPublic(Share a, RingTensor b) { return zeros(Shape.of(a.shape().dim(0), b.shape().dim(1))); }
  @Override public Share publicMatmul(RingTensor a, Share b) { return zeros(Shape.of(a.shape().dim(0), b.shape().dim(1))); }
  @Override public Share mul(Share a, Share b) { return record(Kernel.MUL, a.shape(), a.size()); }
  @Override public Share matmul(Share a, Share b) {
    return record(Kernel.MATMUL, Shape.of(a.shape().dim(0), b.shape().dim(1)), a.shape().dim(0), a.shape().dim(1), b.shape().dim(1));
  }
  @Override public Share trunc(Share a, int bits) { return record(Kernel.TRUNC, a.shape(), a.size()); }
  @Override public Share xorB(Share a, Share b) { return like(a); }
  @Override public Share andB(Share a, Share b) { calls.add(new Call(Kernel.AND, new long[] {a.size()})); return like(a); }
  @Override public Share xorPublicB(Share a, RingTensor c) { return like(a); }
  @Override public Share andPublicB(Share a, RingTensor c) { return like(a); }
  @Override public Share a2b(Share a) { calls.add(new Call(Kernel.A2B, new long[] {a.size()})); return like(a).withKind(Share.Kind.BOOL); }
  @Override public Share b2a(Share b) { return record(Kernel.B2A, b.shape(), b.size()); }
  @Override public Share bitToArith(Share b) { return record(Kernel.BIT_B2A, b.shape(), b.size()); }
  @Override public Share msb(Share x) { return record(Kernel.MSB, x.shape(), x.size()); }
  @Override public Share lessThan(Share a, Share b) { return record(Kernel.LESS, a.shape(), a.size()); }
  @Override public Share allNegative(List<Share> xs) {
    return record(Kernel.ALL_NEGATIVE, xs.get(0).shape(), xs.get(0).size(), xs.size());
  }
  @Override public Share equal(Share a, Share b) { return record(Kernel.EQUAL, a.shape(), a.size()); }
  @Override public Share select(Share c, Share a, Share b) { return record(Kernel.SELECT, a.shape(), a.size()); }
}

package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Structural ops (reshape, broadcast, transpose, slice, concat, sum along an axis) on plaintext
 * tensors and, part by part, on shares: they are linear and local in every protocol.
 */
final class Tensors {
  private Tensors() {}

  static boolean isStructural(Op op) {
    return op instanceof Op.Reshape || op instanceof Op.Broadcast || op instanceof Op.Transpose || op instanceof Op.Slice
        || op instanceof Op.Concat || (op instanceof Op.Reduce r && r.kind() == Op.Reduction.SUM);
  }

  static RingTensor apply(Op op, List<RingTensor> in) {
    RingTensor x = in.get(0);
    if (op instanceof Op.Reshape r) return x.reshape(r.shape());
    if (op instanceof Op.Broadcast b) return x.size() == 1 ? RingTensor.fill(b.shape(), x.get(0)) : x.broadcastTo(b.shape());
    if (op instanceof Op.Transpose) return x.transpose();
    if (op instanceof Op.Slice s) return slice(x, s.axis(), s.from(), s.to());
    if (op instanceof Op.Concat c) return concat(in, c.axis());
    if (op instanceof Op.Reduce r && r.kind() == Op.Reduction.SUM) return x.sum(r.axis());
    throw new IllegalArgumentException(op.label() + " is not structural");
  }

  static Share applyShares(Op op, List<Share> in) {
    Share first = in.get(0);
    RingTensor[] parts = new RingTensor[first.numParts()];
    for (int i = 0; i < parts.length; i++) {
      List<RingTensor> ps = new ArrayList<>(in.size());
      for (Share s : in) ps.add(s.part(i));
      parts[i] = apply(op, ps);
    }
    return new Share(first.kind(), parts);
  }

  static RingTensor slice(RingTensor t, int axis, int from, int to) {
    int[] d = t.shape().dims();
    int outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= d[i];
    for (int i = axis + 1; i < d.length; i++) inner *= d[i];
    int len = d[axis], w = to - from;
    long[] src = t.data(), r = new long[outer * w * inner];
    for (int o = 0; o < outer; o++) System.arraycopy(src, (o * len + from) * inner, r, o * w * inner, w * inner);
    d[axis] = w;
    return RingTensor.wrap(r, Shape.of(d));
  }

  static RingTensor concat(List<RingTensor> ts, int axis) {
    int[] d = ts.get(0).shape().dims();
    int outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= d[i];
    for (int i = axis + 1; i < d.length; i++) inner *= d[i];
    int total = 0;
    for (RingTensor t : ts) total += t.shape().dim(axis);
    long[] r = new long[outer * total * inner];
    int off = 0;
    for (RingTensor t : ts) {
      int len = t.shape().dim(axis);
      for (int o = 0; o < outer; o++) System.arraycopy(t.data(), o * len * inner, r, (o * total + off) * inner, len * inner);
      off += len;
    }
    d[axis] = total;
    return RingTensor.wrap(r, Shape.of(d));
  }

  /** Exact max or min along an axis of plaintext (signed comparison). */
  static RingTensor extreme(RingTensor t, int axis, boolean max) {
    int[] d = t.shape().dims();
    int outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= d[i];
    for (int i = axis + 1; i < d.length; i++) inner *= d[i];
    int len = d[axis];
    long[] src = t.data(), r = new long[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        long best = src[o * len * inner + i];
        for (int k = 1; k < len; k++) {
          long v = src[(o * len + k) * inner + i];
          best = max ? Math.max(best, v) : Math.min(best, v);
        }
        r[o * inner + i] = best;
      }
    }
    int[] out = new int[d.length - 1];
    for (int i = 0, j = 0; i < d.length; i++) if (i != axis) out[j++] = d[i];
    return RingTensor.wrap(r, Shape.of(out));
  }
}

package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Kernel;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Several independent secret matrix products in one matmul exchange, by one of two layouts,
 * whichever the protocol declares cheaper: block-diagonal A times stacked B (no waste where the
 * output is what is sent, as aby3; B padded to the widest n), or stacked A times side-by-side B
 * (no waste where the operands are what is sent, as semi2k's Beaver matmul; padded to the widest
 * k, and the off-diagonal blocks are computed and dropped). Zero padding is a valid sharing of 0.
 */
final class MatmulMerge {
  private MatmulMerge() {}

  private record Layout(boolean block, long m, long k, long n) {}

  private static Layout choose(Protocol p, List<Shape> as, List<Shape> bs) {
    long sm = 0, sk = 0, sn = 0, mk = 0, mn = 0;
    for (int i = 0; i < as.size(); i++) {
      sm += as.get(i).dim(0);
      sk += as.get(i).dim(1);
      sn += bs.get(i).dim(1);
      mk = Math.max(mk, as.get(i).dim(1));
      mn = Math.max(mn, bs.get(i).dim(1));
    }
    Layout block = new Layout(true, sm, sk, mn), cross = new Layout(false, sm, mk, sn);
    if (as.size() == 1) return block;
    return p.cost(Kernel.MATMUL, cross.m, cross.k, cross.n).bytes() < p.cost(Kernel.MATMUL, block.m, block.k, block.n).bytes()
        ? cross : block;
  }

  static Cost cost(Protocol p, List<Shape> as, List<Shape> bs) {
    Layout l = choose(p, as, bs);
    return p.cost(Kernel.MATMUL, l.m, l.k, l.n);
  }

  static List<Share> run(Protocol p, List<Share> as, List<Share> bs) {
    if (as.size() == 1) return List.of(p.matmul(as.get(0), bs.get(0)));
    List<Shape> sa = new ArrayList<>(), sb = new ArrayList<>();
    for (int i = 0; i < as.size(); i++) {
      sa.add(as.get(i).shape());
      sb.add(bs.get(i).shape());
    }
    Layout l = choose(p, sa, sb);
    int parts = as.get(0).numParts();
    RingTensor[] ap = new RingTensor[parts], bp = new RingTensor[parts];
    for (int j = 0; j < parts; j++) {
      long[] a = new long[(int) (l.m * l.k)], b = new long[(int) (l.k * l.n)];
      int ro = 0, ko = 0, no = 0;
      for (int i = 0; i < as.size(); i++) {
        int m = sa.get(i).dim(0), k = sa.get(i).dim(1), n = sb.get(i).dim(1);
        long[] ai = as.get(i).part(j).data(), bi = bs.get(i).part(j).data();
        int aCol = l.block ? ko : 0, bRow = l.block ? ko : 0, bCol = l.block ? 0 : no;
        for (int r = 0; r < m; r++) System.arraycopy(ai, r * k, a, (int) ((ro + r) * l.k + aCol), k);
        for (int r = 0; r < k; r++) System.arraycopy(bi, r * n, b, (int) ((bRow + r) * l.n + bCol), n);
        ro += m;
        ko += k;
        no += n;
      }
      ap[j] = RingTensor.wrap(a, Shape.of((int) l.m, (int) l.k));
      bp[j] = RingTensor.wrap(b, Shape.of((int) l.k, (int) l.n));
    }
    Share c = p.matmul(new Share(as.get(0).kind(), ap), new Share(bs.get(0).kind(), bp));
    List<Share> out = new ArrayList<>();
    int ro = 0, no = 0;
    for (int i = 0; i < as.size(); i++) {
      int m = sa.get(i).dim(0), n = sb.get(i).dim(1);
      int col = l.block ? 0 : no, row = ro;
      RingTensor[] parts2 = new RingTensor[parts];
      for (int j = 0; j < parts; j++) {
        long[] src = c.part(j).data(), dst = new long[m * n];
        for (int r = 0; r < m; r++) System.arraycopy(src, (int) ((row + r) * l.n + col), dst, r * n, n);
        parts2[j] = RingTensor.wrap(dst, Shape.of(m, n));
      }
      out.add(new Share(c.kind(), parts2));
      ro += m;
      no += n;
    }
    return out;
  }
}

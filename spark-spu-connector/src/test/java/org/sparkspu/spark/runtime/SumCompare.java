package org.sparkspu.spark.runtime;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Session;

/**
 * Test program: every party inputs a private vector (all in one exchange), the parties compute the
 * secure sum of all vectors and whether party 0's element is below party 1's, and reveal both.
 */
final class SumCompare implements PartyProgram<long[], SumCompare.Out> {
  record Out(long[] sum, long[] less) implements Serializable {}

  private final int n;

  SumCompare(int n) {
    this.n = n;
  }

  @Override
  public Out run(Session s, long[] mine) {
    Protocol p = s.protocol();
    int parties = s.parties();
    int[] owners = new int[parties];
    RingTensor[] values = new RingTensor[parties];
    Shape[] shapes = new Shape[parties];
    for (int k = 0; k < parties; k++) {
      owners[k] = k;
      shapes[k] = Shape.vector(n);
      values[k] = k == s.self() ? RingTensor.wrap(mine, shapes[k]) : null;
    }
    List<Share> x = p.inputs(owners, values, shapes);
    Share sum = x.get(0);
    for (int k = 1; k < parties; k++) sum = p.add(sum, x.get(k));
    Share less = p.lessThan(x.get(0), x.get(1));
    return new Out(p.reveal(sum).data(), p.reveal(less).data());
  }

  /** Random inputs, |v| < 2^40 so sums and differences never wrap; some equal pairs. */
  static List<long[]> inputs(int parties, int n, long seed) {
    Random r = new Random(seed);
    List<long[]> out = new ArrayList<>();
    for (int k = 0; k < parties; k++) {
      long[] v = new long[n];
      for (int i = 0; i < n; i++) v[i] = (r.nextLong() >> 24);
      out.add(v);
    }
    if (n > 1) out.get(1)[0] = out.get(0)[0]; // equal: not less
    return out;
  }

  static long[] plainSum(List<long[]> in) {
    long[] s = new long[in.get(0).length];
    for (long[] v : in) for (int i = 0; i < s.length; i++) s[i] += v[i];
    return s;
  }

  static long[] plainLess(List<long[]> in) {
    long[] l = new long[in.get(0).length];
    for (int i = 0; i < l.length; i++) l[i] = in.get(0)[i] < in.get(1)[i] ? 1 : 0;
    return l;
  }
}

package org.sparkspu.engine.mpc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * This party's share of one secret tensor. The layout of {@link #parts()} belongs to the protocol
 * (ref2k: the plaintext; semi2k: one additive share; aby3: the replicated pair x_i, x_(i+1)), but
 * every part has the tensor's shape, so structural operations (reshape, slice, concat, transpose,
 * sum) act part by part and need no communication.
 */
public final class Share {
  /** Arithmetic shares add up (mod 2^64); boolean shares XOR up, bit-sliced in longs. */
  public enum Kind { ARITH, BOOL }

  private final Kind kind;
  private final RingTensor[] parts;

  public Share(Kind kind, RingTensor... parts) {
    if (parts.length == 0) throw new IllegalArgumentException("a share has at least one part");
    for (RingTensor p : parts) {
      if (!p.shape().equals(parts[0].shape())) throw new IllegalArgumentException("share parts differ in shape");
    }
    this.kind = kind;
    this.parts = parts;
  }

  public Kind kind() {
    return kind;
  }

  public RingTensor part(int i) {
    return parts[i];
  }

  public int numParts() {
    return parts.length;
  }

  public Shape shape() {
    return parts[0].shape();
  }

  public int size() {
    return parts[0].size();
  }

  /** Applies a local, part-wise map (reshape, slice, transpose, shifts, ...). */
  public Share map(UnaryOperator<RingTensor> f) {
    RingTensor[] r = new RingTensor[parts.length];
    for (int i = 0; i < r.length; i++) r[i] = f.apply(parts[i]);
    return new Share(kind, r);
  }

  public Share withKind(Kind k) {
    return new Share(k, parts);
  }

  public Share reshape(Shape s) {
    return map(p -> p.reshape(s));
  }

  /** Flattens and concatenates shares of one kind (the basis of merged, vectorised kernels). */
  public static Share concat(List<Share> shares) {
    Share first = shares.get(0);
    RingTensor[] r = new RingTensor[first.parts.length];
    for (int i = 0; i < r.length; i++) {
      List<RingTensor> ps = new ArrayList<>(shares.size());
      for (Share s : shares) {
        if (s.kind != first.kind) throw new IllegalArgumentException("cannot concat shares of different kinds");
        ps.add(s.parts[i]);
      }
      r[i] = RingTensor.concat(ps);
    }
    return new Share(first.kind, r);
  }

  /** Splits a flat share into pieces of the given shapes (inverse of {@link #concat}). */
  public List<Share> split(List<Shape> shapes) {
    List<List<RingTensor>> byPart = new ArrayList<>();
    for (RingTensor p : parts) byPart.add(p.split(shapes));
    List<Share> out = new ArrayList<>(shapes.size());
    for (int s = 0; s < shapes.size(); s++) {
      RingTensor[] r = new RingTensor[parts.length];
      for (int i = 0; i < r.length; i++) r[i] = byPart.get(i).get(s);
      out.add(new Share(kind, r));
    }
    return out;
  }

  /** Kind and shape only: share values never go to logs. */
  @Override
  public String toString() {
    return "Share(" + kind + ", " + shape() + ", parts=" + parts.length + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Share s && s.kind == kind && Arrays.equals(s.parts, parts);
  }

  @Override
  public int hashCode() {
    return 31 * kind.hashCode() + Arrays.hashCode(parts);
  }
}

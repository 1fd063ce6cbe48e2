package org.sparkspu.engine.ring;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A tensor over the ring Z_2^64: a row-major long[] plus a {@link Shape}. Arithmetic wraps
 * modulo 2^64 by design (that is the ring), so Java's overflowing long arithmetic is exact here.
 *
 * <p>Tensors are treated as immutable values: every operation returns a new tensor and never
 * writes its inputs. Code that sends a tensor's array over a link may therefore share it.
 */
public final class RingTensor {
  private final long[] data;
  private final Shape shape;

  private RingTensor(long[] data, Shape shape) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(
          "data length " + data.length + " does not match shape " + shape + " (" + shape.size() + " elements)");
    }
    this.data = data;
    this.shape = shape;
  }

  /** Wraps {@code data} without copying; the caller hands over the array. */
  public static RingTensor wrap(long[] data, Shape shape) {
    return new RingTensor(data, shape);
  }

  public static RingTensor vector(long... values) {
    return new RingTensor(values, Shape.vector(values.length));
  }

  public static RingTensor scalar(long value) {
    return new RingTensor(new long[] {value}, Shape.scalar());
  }

  public static RingTensor zeros(Shape shape) {
    return new RingTensor(new long[shape.size()], shape);
  }

  public static RingTensor fill(Shape shape, long value) {
    long[] d = new long[shape.size()];
    Arrays.fill(d, value);
    return new RingTensor(d, shape);
  }

  public Shape shape() {
    return shape;
  }

  public int size() {
    return data.length;
  }

  /** The backing array (not a copy): read it, never write it. */
  public long[] data() {
    return data;
  }

  public long get(int i) {
    return data[i];
  }

  public RingTensor copy() {
    return new RingTensor(data.clone(), shape);
  }

  public RingTensor reshape(Shape newShape) {
    if (newShape.size() != data.length) {
      throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape);
    }
    return new RingTensor(data, newShape);
  }

  // ---- element-wise arithmetic (mod 2^64) ----

  public RingTensor add(RingTensor o) {
    checkSame(o);
    long[] a = data, b = o.data, r = new long[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] + b[i];
    return new RingTensor(r, shape);
  }

  public RingTensor sub(RingTensor o) {
    checkSame(o);
    long[] a = data, b = o.data, r = new long[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] - b[i];
    return new RingTensor(r, shape);
  }

  public RingTensor mul(RingTensor o) {
    checkSame(o);
    long[] a = data, b = o.data, r = new long[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] * b[i];
    return new RingTensor(r, shape);
  }

  public RingTensor neg() {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = -data[i];
    return new RingTensor(r, shape);
  }

  public RingTensor addScalar(long c) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] + c;
    return new RingTensor(r, shape);
  }

  public RingTensor mulScalar(long c) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] * c;
    return new RingTensor(r, shape);
  }

  // ---- bitwise (boolean shares are bit-sliced: bit j of a long is bit j of the value) ----

  public RingTensor xor(RingTensor o) {
    checkSame(o);
    long[] a = data, b = o.data, r = new long[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] ^ b[i];
    return new RingTensor(r, shape);
  }

  public RingTensor and(RingTensor o) {
    checkSame(o);
    long[] a = data, b = o.data, r = new long[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] & b[i];
    return new RingTensor(r, shape);
  }

  public RingTensor or(RingTensor o) {
    checkSame(o);
    long[] a = data, b = o.data, r = new long[a.length];
    for (int i = 0; i < r.length; i++) r[i] = a[i] | b[i];
    return new RingTensor(r, shape);
  }

  public RingTensor not() {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = ~data[i];
    return new RingTensor(r, shape);
  }

  public RingTensor andScalar(long mask) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] & mask;
    return new RingTensor(r, shape);
  }

  public RingTensor xorScalar(long mask) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] ^ mask;
    return new RingTensor(r, shape);
  }

  public RingTensor shiftLeft(int bits) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] << bits;
    return new RingTensor(r, shape);
  }

  /** Arithmetic (sign-extending) right shift: the plaintext of fixed-point truncation. */
  public RingTensor shiftRightArith(int bits) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] >> bits;
    return new RingTensor(r, shape);
  }

  /** Logical right shift. */
  public RingTensor shiftRightLogical(int bits) {
    long[] r = new long[data.length];
    for (int i = 0; i < r.length; i++) r[i] = data[i] >>> bits;
    return new RingTensor(r, shape);
  }

  // ---- reductions ----

  /** Sum of all elements (mod 2^64). */
  public long sum() {
    long s = 0;
    for (long v : data) s += v;
    return s;
  }

  /** Sum along {@code axis}, removing it. */
  public RingTensor sum(int axis) {
    int[] dims = shape.dims();
    int outer = 1, inner = 1, len = dims[axis];
    for (int i = 0; i < axis; i++) outer *= dims[i];
    for (int i = axis + 1; i < dims.length; i++) inner *= dims[i];
    long[] r = new long[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int k = 0; k < len; k++) {
        int base = (o * len + k) * inner;
        int rb = o * inner;
        for (int i = 0; i < inner; i++) r[rb + i] += data[base + i];
      }
    }
    int[] out = new int[dims.length - 1];
    for (int i = 0, j = 0; i < dims.length; i++) if (i != axis) out[j++] = dims[i];
    return new RingTensor(r, Shape.of(out));
  }

  // ---- structure ----

  /** Rows [from, to) of the flattened data as a vector. */
  public RingTensor slice(int from, int to) {
    return new RingTensor(Arrays.copyOfRange(data, from, to), Shape.vector(to - from));
  }

  /** Slice along axis 0 (rows [from, to) of the leading dimension). */
  public RingTensor sliceRows(int from, int to) {
    int[] dims = shape.dims();
    int rowSize = dims.length == 0 ? 1 : shape.size() / Math.max(1, dims[0]);
    dims[0] = to - from;
    return new RingTensor(Arrays.copyOfRange(data, from * rowSize, to * rowSize), Shape.of(dims));
  }

  /** Concatenation of the flattened data of {@code parts} into one vector. */
  public static RingTensor concat(List<RingTensor> parts) {
    int n = 0;
    for (RingTensor p : parts) n += p.size();
    long[] r = new long[n];
    int off = 0;
    for (RingTensor p : parts) {
      System.arraycopy(p.data, 0, r, off, p.size());
      off += p.size();
    }
    return new RingTensor(r, Shape.vector(n));
  }

  /** Splits a flat tensor back into pieces of the given shapes (inverse of {@link #concat}). */
  public List<RingTensor> split(List<Shape> shapes) {
    RingTensor[] out = new RingTensor[shapes.size()];
    int off = 0;
    for (int i = 0; i < out.length; i++) {
      Shape s = shapes.get(i);
      out[i] = new RingTensor(Arrays.copyOfRange(data, off, off + s.size()), s);
      off += s.size();
    }
    if (off != data.length) throw new IllegalArgumentException("split shapes cover " + off + " of " + data.length);
    return List.of(out);
  }

  /** Transpose of a rank-2 tensor. */
  public RingTensor transpose() {
    if (shape.rank() != 2) throw new IllegalArgumentException("transpose needs rank 2, got " + shape);
    int m = shape.dim(0), n = shape.dim(1);
    long[] r = new long[data.length];
    final int b = 32; // cache blocking
    for (int i0 = 0; i0 < m; i0 += b) {
      for (int j0 = 0; j0 < n; j0 += b) {
        int im = Math.min(m, i0 + b), jm = Math.min(n, j0 + b);
        for (int i = i0; i < im; i++) for (int j = j0; j < jm; j++) r[j * m + i] = data[i * n + j];
      }
    }
    return new RingTensor(r, Shape.of(n, m));
  }

  /** Broadcasts a scalar or a tensor whose shape is a suffix of {@code target} (numpy rules, leading axes). */
  public RingTensor broadcastTo(Shape target) {
    if (shape.equals(target)) return this;
    int n = target.size();
    long[] r = new long[n];
    if (data.length == 1) {
      Arrays.fill(r, data[0]);
    } else {
      int[] td = target.dims(), sd = shape.dims();
      if (sd.length > td.length) throw new IllegalArgumentException("cannot broadcast " + shape + " to " + target);
      for (int i = 0; i < sd.length; i++) {
        if (sd[sd.length - 1 - i] != td[td.length - 1 - i]) {
          throw new IllegalArgumentException("cannot broadcast " + shape + " to " + target);
        }
      }
      for (int off = 0; off < n; off += data.length) System.arraycopy(data, 0, r, off, data.length);
    }
    return new RingTensor(r, target);
  }

  // ---- matrix product ----

  /**
   * Matrix product (m x k) . (k x n) mod 2^64, cache-blocked over k and n and split by rows
   * across the common fork-join pool when large enough to pay for it.
   */
  public RingTensor matmul(RingTensor o) {
    if (shape.rank() != 2 || o.shape.rank() != 2 || shape.dim(1) != o.shape.dim(0)) {
      throw new IllegalArgumentException("matmul shapes do not agree: " + shape + " . " + o.shape);
    }
    int m = shape.dim(0), k = shape.dim(1), n = o.shape.dim(1);
    long[] a = data, b = o.data, c = new long[m * n];
    final int rowBlock = 16;
    int blocks = (m + rowBlock - 1) / rowBlock;
    IntStream range = IntStream.range(0, blocks);
    if ((long) m * k * n >= (1L << 20)) range = range.parallel();
    range.forEach(blk -> multiplyRows(a, b, c, blk * rowBlock, Math.min(m, (blk + 1) * rowBlock), k, n));
    return new RingTensor(c, Shape.of(m, n));
  }

  private static void multiplyRows(long[] a, long[] b, long[] c, int r0, int r1, int k, int n) {
    final int kb = 128, nb = 512;
    for (int k0 = 0; k0 < k; k0 += kb) {
      int k1 = Math.min(k, k0 + kb);
      for (int j0 = 0; j0 < n; j0 += nb) {
        int j1 = Math.min(n, j0 + nb);
        for (int i = r0; i < r1; i++) {
          int ci = i * n;
          for (int p = k0; p < k1; p++) {
            long aip = a[i * k + p];
            if (aip == 0) continue;
            int bp = p * n;
            for (int j = j0; j < j1; j++) c[ci + j] += aip * b[bp + j];
          }
        }
      }
    }
  }

  private void checkSame(RingTensor o) {
    if (!shape.equals(o.shape)) {
      throw new IllegalArgumentException("shape mismatch: " + shape + " vs " + o.shape);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + Arrays.hashCode(data);
  }

  /** Shape only: tensors may hold shares or private plaintext, which never go to logs. */
  @Override
  public String toString() {
    return "RingTensor" + shape;
  }
}

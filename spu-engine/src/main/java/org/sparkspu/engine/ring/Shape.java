package org.sparkspu.engine.ring;

import java.util.Arrays;

/** Dimensions of a tensor, row-major; a scalar has no dimensions and one element. Immutable. */
public final class Shape {
  private final int[] dims;
  private final int size;

  private Shape(int[] dims) {
    long n = 1;
    for (int d : dims) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
      n *= d;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("tensor too large for one long[]: " + Arrays.toString(dims));
      }
    }
    this.dims = dims;
    this.size = (int) n;
  }

  public static Shape of(int... dims) {
    return new Shape(dims.clone());
  }

  public static Shape vector(int n) {
    return new Shape(new int[] {n});
  }

  public static Shape scalar() {
    return new Shape(new int[0]);
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis];
  }

  public int[] dims() {
    return dims.clone();
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}

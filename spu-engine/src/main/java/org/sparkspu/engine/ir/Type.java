package org.sparkspu.engine.ir;

import org.sparkspu.engine.ring.Shape;

/** The static type of a value: visibility x element type x shape. */
public record Type(Visibility vis, DType dtype, Shape shape) {
  public Type with(Visibility v) {
    return new Type(v, dtype, shape);
  }

  public Type with(DType d) {
    return new Type(vis, d, shape);
  }

  public Type with(Shape s) {
    return new Type(vis, dtype, s);
  }

  @Override
  public String toString() {
    return vis + " " + dtype.name().toLowerCase() + shape;
  }
}

package org.sparkspu.spark.exec;

import java.io.Serializable;

/**
 * How an aggregate input's values sit in the ring: exact integers holding value * 10^scale (ints,
 * dates, decimals of up to 18 digits: {@code fixedPoint} false), or fixed point with
 * {@code fractionBits} (floats, doubles, wide decimals: {@code fixedPoint} true, scale 0).
 */
public record NumericEncoding(boolean fixedPoint, int scale, int fractionBits) implements Serializable {
  public static NumericEncoding integer(int decimalScale) {
    return new NumericEncoding(false, decimalScale, 0);
  }

  public static NumericEncoding fixed(int fractionBits) {
    return new NumericEncoding(true, 0, fractionBits);
  }
}

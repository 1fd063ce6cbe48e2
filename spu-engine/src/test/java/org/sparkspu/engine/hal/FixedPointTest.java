package org.sparkspu.engine.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.ring.Shape;

class FixedPointTest {
  private final FixedPoint fxp = new FixedPoint(18);

  @Test
  void roundTripWithinHalfAnUlp() {
    Random r = new Random(3);
    double ulp = Math.scalb(1.0, -18);
    for (int i = 0; i < 10_000; i++) {
      double x = (r.nextDouble() - 0.5) * Math.scalb(1.0, r.nextInt(40));
      assertTrue(Math.abs(fxp.decode(fxp.encode(x)) - x) <= ulp / 2, "x = " + x);
    }
    assertEquals(-1.5, fxp.decode(fxp.encode(-1.5)));
    assertEquals(0.0, fxp.decode(fxp.encode(0.0)));
  }

  @Test
  void outOfRangeNamesTheValueAndPosition() {
    double max = fxp.maxMagnitude(); // 2^44 with f = 18
    assertEquals(Math.scalb(1.0, 44), max);
    fxp.encode(max - 1);
    var e = assertThrows(EncodingException.class,
        () -> fxp.encode(new double[] {1, 2, max}, Shape.vector(3), "column amount"));
    assertTrue(e.getMessage().contains("column amount at position 2"), e.getMessage());
    assertTrue(e.getMessage().contains("2^44"), e.getMessage());
    assertThrows(EncodingException.class, () -> fxp.encode(-max));
  }

  @Test
  void nanAndInfinityAreRejected() {
    assertTrue(assertThrows(EncodingException.class, () -> fxp.encode(Double.NaN)).getMessage().contains("NaN"));
    assertThrows(EncodingException.class, () -> fxp.encode(Double.POSITIVE_INFINITY));
    assertThrows(EncodingException.class, () -> fxp.encode(Double.NEGATIVE_INFINITY));
  }

  @Test
  void integersAreExactUpTo2To62() {
    long big = (1L << 62) - 1;
    assertEquals(big, FixedPoint.encodeInteger(big, "x", 0));
    assertEquals(-big, FixedPoint.encodeInteger(-big, "x", 0));
    var e = assertThrows(EncodingException.class, () -> FixedPoint.encodeInteger(1L << 62, "column id", 7));
    assertTrue(e.getMessage().contains("column id at position 7"));
  }
}

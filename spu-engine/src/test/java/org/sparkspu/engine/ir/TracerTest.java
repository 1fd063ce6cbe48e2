package org.sparkspu.engine.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkspu.engine.hal.SigmoidMode;
import org.sparkspu.engine.ring.Shape;

/** Type inference (visibility x dtype x shape), broadcasting and tracing errors. */
class TracerTest {
  @Test
  void visibilityJoinIsTheLeastThatMayHoldTheResult() {
    Visibility pub = Visibility.PUBLIC, p0 = Visibility.of(0), p1 = Visibility.of(1), sec = Visibility.SECRET;
    assertEquals(pub, Visibility.join(pub, pub));
    assertEquals(p0, Visibility.join(pub, p0));
    assertEquals(p0, Visibility.join(p0, p0));
    assertEquals(sec, Visibility.join(p0, p1));
    assertEquals(sec, Visibility.join(pub, sec));
    assertEquals(sec, Visibility.join(sec, p1));
  }

  @Test
  void typesFollowTheMaths() {
    Tracer t = new Tracer();
    Value x = t.privateInput(0, "x", Shape.of(2, 3));
    Value k = t.privateInts(0, "k", Shape.of(3));
    Value s = t.secretInput("s", Shape.of(3, 4));
    assertEquals(new Type(Visibility.of(0), DType.FXP, Shape.of(2, 3)), x.add(k).type(), "int broadcasts and widens to fxp");
    assertEquals(new Type(Visibility.of(0), DType.INT, Shape.of(3)), k.mul(2L).type());
    assertEquals(new Type(Visibility.SECRET, DType.FXP, Shape.of(2, 4)), x.matmul(s).type());
    assertEquals(DType.INT, x.less(1.0).dtype());
    assertEquals(DType.FXP, k.reciprocal().dtype());
    assertEquals(Shape.of(2), x.sum(1).shape());
    assertEquals(Shape.scalar(), x.sum().shape());
    assertEquals(Shape.of(3, 2), x.transpose().shape());
    assertEquals(Shape.of(2, 2), x.slice(1, 1, 3).shape());
    assertEquals(Shape.of(4, 3), x.concat(0, x).shape());
    assertEquals(Visibility.PUBLIC, s.sigmoid(SigmoidMode.SEG3).reveal().visibility());
    assertEquals(Visibility.of(2), s.revealTo(2).visibility());
    assertEquals(Visibility.PUBLIC, t.constant(1).revealTo(2).visibility());
  }

  @Test
  void malformedProgramsFailWhereTheyAreWritten() {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", Shape.of(2, 3));
    Value y = t.secretInput("y", Shape.of(3, 2));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> x.add(y)).getMessage().contains("cannot broadcast"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> x.matmul(x)).getMessage().contains("matmul shapes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> x.select(x, x)).getMessage().contains("integer 0/1 condition"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> x.reshape(5)).getMessage().contains("cannot reshape"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> x.slice(1, 2, 4)).getMessage().contains("outside"));
    t.secretInput("x", Shape.of(1));
    t.output("x", x);
    assertTrue(assertThrows(IllegalArgumentException.class, t::build).getMessage().contains("two inputs are named"));
    Tracer other = new Tracer();
    assertThrows(IllegalArgumentException.class, () -> other.output("z", x));
    assertThrows(IllegalStateException.class, other::build);
  }

  @Test
  void listingsShowOpsAndTypesButNoValues() {
    Tracer t = new Tracer();
    Value x = t.secretInput("x", Shape.of(2));
    t.output("y", x.mul(t.constant(Shape.of(2), 1234.5, 6789.25)).sigmoid().reveal());
    String listing = t.build().listing();
    assertTrue(listing.contains("%2 = mul(%0, %1) : secret fxp[2]"), listing);
    assertTrue(listing.contains("sigmoid(real)"), listing);
    assertFalse(listing.contains("1234") || listing.contains("6789"), listing);
  }
}

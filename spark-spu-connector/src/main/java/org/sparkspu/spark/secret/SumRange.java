package org.sparkspu.spark.secret;

import java.math.BigDecimal;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.secret.SecretTyping.Kind;
import org.sparkspu.spark.store.StoreMetadata;

/**
 * When a secret SUM could leave the 64-bit ring. A group's sum of n values with |v| <= 2^b (as
 * encoded) is exact while n 2^b < 2^63 (an average's sum: 2^62, the wide division's range); b
 * comes from the largest |value| each writer recorded per column ({@link StoreMetadata#valueBits}), carried through the input expression (+ and -: the sum
 * of the bounds; *: the product; CASE: the largest branch). The result is the count limit t: the
 * sum is safe for groups of fewer than 2^t non-NULL values. The finisher compares each group's
 * count with 2^t only when the table has that many rows; a group that reaches it fails the query
 * instead of revealing a wrapped sum (Spark's ANSI sum raises an overflow error there too).
 */
final class SumRange {
  /** No count limit: the sum cannot leave the ring for this table. */
  static final int UNLIMITED = 64;

  private SumRange() {}

  /**
   * The count limit t of SUM (ring limit 2^63, the signed range) or, with {@code avg}, AVG (2^62,
   * what the wide division takes) over {@code e}; UNLIMITED when the table's rows cannot reach 2^t.
   */
  static int maxCountBits(Expr e, boolean avg, SecretTyping typing, StoreMetadata meta, int fractionBits, long totalRows) {
    return limit(encodedBits(e, 1, typing, meta, fractionBits), avg ? 62 : 63, totalRows);
  }

  /**
   * The count limit of the sum of squares of {@code e} (VAR_SAMP, STDDEV_SAMP): squares are
   * encoded at twice an integer's scale, or at fractionBits for fixed point, and their sum must not
   * wrap (2^63) for the variance's own guard on n * sum(x^2) to see its true size.
   */
  static int maxCountBitsOfSquares(Expr e, SecretTyping typing, StoreMetadata meta, int fractionBits, long totalRows) {
    return limit(encodedBits(e, 2, typing, meta, fractionBits), 63, totalRows);
  }

  /**
   * A bound b with |v| <= 2^b on {@code e}'s encoded values, or -1 when they are all 0: MIN/MAX
   * compare values by the sign of their difference, exact while |v| < 2^62.
   */
  static int valueBits(Expr e, SecretTyping typing, StoreMetadata meta, int fractionBits) {
    return encodedBits(e, 1, typing, meta, fractionBits);
  }

  /**
   * A bound b with |v| <= 2^b on the encoded values of e^power (power 1 or 2), or -1 when they are
   * all 0. Integers at scale s encode e^power at scale power * s; fixed point at fractionBits,
   * with one bit more for the rounding of its conversions and products.
   */
  private static int encodedBits(Expr e, int power, SecretTyping typing, StoreMetadata meta, int fractionBits) {
    double real = log2Real(e, typing, meta, fractionBits);
    if (real == Double.NEGATIVE_INFINITY) return -1;
    SecretTyping.SType st = typing.typeOf(e);
    boolean fxp = st.kind() == Kind.FXP;
    double encoded = fxp ? power * real + fractionBits : power * (real + st.scale() * LOG2_10);
    return (int) Math.ceil(encoded - 1e-9) + (fxp ? 1 : 0);
  }

  /** t with n 2^bits < 2^ringBits for n < 2^t (UNLIMITED for bits < 0, or when the table cannot reach 2^t). */
  private static int limit(int bits, int ringBits, long totalRows) {
    if (bits < 0) return UNLIMITED; // every value is 0
    int t = Math.max(0, ringBits - bits);
    return totalRows < (1L << Math.min(t, 62)) ? UNLIMITED : t;
  }

  private static final double LOG2_10 = Math.log(10) / Math.log(2);

  /** What the column's type alone bounds (stores written before the magnitudes were recorded). */
  static int typeBits(org.sparkspu.arrow.LogicalType t) {
    return switch (t.kind()) {
      case BOOLEAN -> 1;
      case TINYINT -> 7;
      case SMALLINT -> 15;
      case INT, DATE -> 31;
      case DECIMAL -> (int) Math.ceil(t.precision() * LOG2_10);
      default -> 62; // BIGINT, timestamps, fixed point: the encodable maximum
    };
  }

  /** log2 of a bound on |real value| of {@code e} (-infinity: always 0). */
  static double log2Real(Expr e, SecretTyping typing, StoreMetadata meta, int f) {
    if (e instanceof Expr.Col c) {
      org.sparkspu.arrow.SecretColumn col = typing.column(c.name());
      SecretTyping.SType st = SecretTyping.of(col);
      int bits = meta.valueBits(c.name()).orElse(typeBits(col.type()));
      if (bits < 0) return Double.NEGATIVE_INFINITY; // no value written (or only NULLs)
      return bits - (st.kind() == Kind.FXP ? f : st.scale() * LOG2_10);
    }
    if (e instanceof Expr.Lit l) {
      if (l.value() == null) return Double.NEGATIVE_INFINITY;
      double v;
      if (l.value() instanceof Number n && !(l.value() instanceof BigDecimal)) v = Math.abs(n.doubleValue());
      else if (l.value() instanceof BigDecimal d) v = d.abs().doubleValue();
      else if (l.value() instanceof Boolean b) v = b ? 1 : 0;
      else if (l.value() instanceof java.time.LocalDate d) v = Math.abs((double) d.toEpochDay());
      else if (l.value() instanceof java.sql.Date d) v = Math.abs((double) d.toLocalDate().toEpochDay());
      else v = Math.pow(2, 62); // timestamps (microseconds) and anything else: the encodable bound
      return v == 0 ? Double.NEGATIVE_INFINITY : Math.log(v) / Math.log(2);
    }
    if (e instanceof Expr.Arith a) {
      double l = log2Real(a.left(), typing, meta, f), r = log2Real(a.right(), typing, meta, f);
      if (a.op().equals("*")) return l + r; // -inf absorbs
      double hi = Math.max(l, r), lo = Math.min(l, r);
      return hi == Double.NEGATIVE_INFINITY ? hi : hi + Math.log1p(Math.pow(2, lo - hi)) / Math.log(2);
    }
    if (e instanceof Expr.CaseWhen w) {
      double m = w.otherwise() == null ? Double.NEGATIVE_INFINITY : log2Real(w.otherwise(), typing, meta, f);
      for (Expr v : w.values()) m = Math.max(m, log2Real(v, typing, meta, f));
      return m;
    }
    return 62; // not a value expression: typing refuses it elsewhere
  }
}

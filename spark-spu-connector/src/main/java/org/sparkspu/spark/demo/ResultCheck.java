package org.sparkspu.spark.demo;

import java.math.BigDecimal;
import java.util.List;

/** Compares a secure result with plaintext Spark's, row by row, and prints them side by side. */
public final class ResultCheck {
  private ResultCheck() {}

  /**
   * Same rows in the same order; decimals and integers exactly equal, except decimal averages and
   * doubles, which may differ by one unit in the last place (the secure average is the quotient
   * rounded to 40 bits, then HALF_UP to the result scale).
   */
  public static boolean matches(List<org.apache.spark.sql.Row> plain, List<org.apache.spark.sql.Row> secure) {
    if (plain.size() != secure.size()) return false;
    for (int i = 0; i < plain.size(); i++) {
      var a = plain.get(i);
      var b = secure.get(i);
      if (a.length() != b.length()) return false;
      for (int j = 0; j < a.length(); j++) if (!close(a.get(j), b.get(j))) return false;
    }
    return true;
  }

  static boolean close(Object x, Object y) {
    if (x == null || y == null) return x == y;
    if (x instanceof BigDecimal a && y instanceof BigDecimal b) {
      BigDecimal ulp = a.ulp().max(b.ulp());
      return a.subtract(b).abs().compareTo(ulp) <= 0;
    }
    if (x instanceof Double a && y instanceof Double b) return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
    if (x instanceof Number a && y instanceof Number b) return a.longValue() == b.longValue();
    return x.equals(y);
  }

  /** Plaintext and secure rows, one pair of lines per row. */
  public static String sideBySide(List<org.apache.spark.sql.Row> plain, List<org.apache.spark.sql.Row> secure) {
    StringBuilder sb = new StringBuilder();
    int n = Math.max(plain.size(), secure.size());
    for (int i = 0; i < n; i++) {
      sb.append("  plain : ").append(i < plain.size() ? fmt(plain.get(i)) : "-").append('\n');
      sb.append("  secure: ").append(i < secure.size() ? fmt(secure.get(i)) : "-").append('\n');
    }
    return sb.toString();
  }

  private static String fmt(org.apache.spark.sql.Row r) {
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < r.length(); j++) {
      if (j > 0) sb.append(" | ");
      sb.append(r.get(j));
    }
    return sb.toString();
  }
}

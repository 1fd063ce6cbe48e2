package org.sparkspu.spark.demo;

/**
 * TPC-H queries as Spark SQL over a table name, in two spellings: plaintext Spark's (sum, avg,
 * count) and the secure one (secure_sum, secure_avg, secure_count). The secure texts differ only in
 * the function names; the ORDER BY runs in Spark on the revealed aggregate rows. Q12 reads
 * lineitem joined with orders on the order key: over a table that already is that join (plaintext
 * Spark's join, or secure_join's secret table), so its text has no join predicate.
 */
public final class TpchQueries {
  private TpchQueries() {}

  /** The queries {@link #sql} knows, by name. */
  public static final java.util.List<String> NAMES = java.util.List.of("q1", "q6", "q12");

  /** Query {@code name} (one of {@link #NAMES}, case-insensitive) over {@code table}. */
  public static String sql(String name, String table, boolean secure) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "q1" -> q1(table, secure);
      case "q6" -> q6(table, secure);
      case "q12" -> q12(table, secure);
      default -> throw new IllegalArgumentException("unknown TPC-H query '" + name + "', expected one of " + NAMES);
    };
  }

  /** TPC-H Q1 (pricing summary report), DELTA = 90 days. */
  public static String q1(String table, boolean secure) {
    String sum = secure ? "secure_sum" : "sum";
    String avg = secure ? "secure_avg" : "avg";
    String count = secure ? "secure_count(1)" : "count(*)";
    return "SELECT l_returnflag, l_linestatus,"
        + " " + sum + "(l_quantity) AS sum_qty,"
        + " " + sum + "(l_extendedprice) AS sum_base_price,"
        + " " + sum + "(l_extendedprice * (1 - l_discount)) AS sum_disc_price,"
        + " " + sum + "(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,"
        + " " + avg + "(l_quantity) AS avg_qty,"
        + " " + avg + "(l_extendedprice) AS avg_price,"
        + " " + avg + "(l_discount) AS avg_disc,"
        + " " + count + " AS count_order"
        + " FROM " + table
        + " WHERE l_shipdate <= date '1998-12-01' - interval '90' day"
        + " GROUP BY l_returnflag, l_linestatus"
        + " ORDER BY l_returnflag, l_linestatus";
  }

  /** TPC-H Q6 (forecasting revenue change), DATE = 1994-01-01, DISCOUNT = 0.06, QUANTITY = 24. */
  public static String q6(String table, boolean secure) {
    String sum = secure ? "secure_sum" : "sum";
    return "SELECT " + sum + "(l_extendedprice * l_discount) AS revenue"
        + " FROM " + table
        + " WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1994-01-01' + interval '1' year"
        + " AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24";
  }

  /**
   * TPC-H Q12 (shipping modes and order priority), SHIPMODE1 = MAIL, SHIPMODE2 = SHIP, DATE =
   * 1994-01-01, over {@code table} = lineitem joined with orders on the order key.
   */
  public static String q12(String table, boolean secure) {
    String sum = secure ? "secure_sum" : "sum";
    return "SELECT l_shipmode,"
        + " " + sum + "(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END) AS high_line_count,"
        + " " + sum + "(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END) AS low_line_count"
        + " FROM " + table
        + " WHERE l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate"
        + " AND l_receiptdate >= date '1994-01-01' AND l_receiptdate < date '1994-01-01' + interval '1' year"
        + " GROUP BY l_shipmode"
        + " ORDER BY l_shipmode";
  }
}

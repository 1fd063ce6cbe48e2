package org.sparkspu.spark.join;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * secure_join from SQL, through the spu data source: the option {@code secureJoin} names the two
 * sides, and the view is the joined secret table.
 *
 * <pre>{@code
 * CREATE TEMPORARY VIEW j USING spu OPTIONS (
 *   secureJoin 'orders_a@0, lineitem_b@1',   -- table or view name @ owning party, left then right
 *   keys 'orderkey',                           -- comma-separated key columns, or 'l_orderkey = o_orderkey' pairs
 *   how 'inner',                               -- optional; only inner
 *   publicDomain 'o_orderpriority,l_shipmode'  -- optional, and the other SecureJoin options
 * );
 * SELECT o_orderpriority, secure_sum(l_quantity) FROM j WHERE l_shipmode = 'MAIL' GROUP BY o_orderpriority;
 * }</pre>
 *
 * A side may also be {@code store:PATH}, the output of an earlier secure join (a chained join).
 * The join runs when Spark first resolves the view and its output is reused for every later
 * resolution with the same options in this JVM (Spark resolves a view's relation per query), as
 * long as the output exists; give another {@code path} (or drop the view and create it with other
 * options) to join again after the input tables changed. Leakage: {@link SecureJoin}.
 */
public final class SecureJoinSql {
  /** The data source option that asks for a join. */
  public static final String OPTION = "secureJoin";

  private static final Map<String, String> outputs = new ConcurrentHashMap<>();
  /** Joins run through SQL in this JVM (tests check that a view's join runs once). */
  static final java.util.concurrent.atomic.AtomicInteger joinsRun = new java.util.concurrent.atomic.AtomicInteger();

  private SecureJoinSql() {}

  /** True when the data source options ask for a join. */
  public static boolean requested(Map<String, String> options) {
    return value(options, OPTION) != null;
  }

  /** Runs the join the options describe (once per distinct options) and returns its output path. */
  public static String outputPath(SparkSession spark, Map<String, String> options) {
    Map<String, String> o = new TreeMap<>();
    options.forEach((k, v) -> o.put(k.toLowerCase(Locale.ROOT), v));
    String id = spark.sparkContext().applicationId() + "@" + System.identityHashCode(spark) + o;
    String path = outputs.get(id);
    if (path != null && JoinInput.isJoinOutput(path)) return path;
    synchronized (SecureJoinSql.class) {
      path = outputs.get(id);
      if (path != null && JoinInput.isJoinOutput(path)) return path;
      String[] sides = o.get(OPTION.toLowerCase(Locale.ROOT)).split(",");
      if (sides.length != 2) {
        throw new SpuQueryException("option secureJoin names two sides, 'left@party, right@party' (or store:PATH for a join's output),"
            + " got '" + o.get("securejoin") + "'");
      }
      String keyText = o.get("keys");
      if (keyText == null || keyText.isBlank()) throw new SpuQueryException("option secureJoin needs option keys: the key columns");
      List<String> leftKeys = new ArrayList<>(), rightKeys = new ArrayList<>();
      for (String k : keyText.split(",")) {
        if (k.isBlank()) continue;
        String[] pair = k.split("=");
        if (pair.length > 2 || pair[0].isBlank() || (pair.length == 2 && pair[1].isBlank())) {
          throw new SpuQueryException("option keys: '" + k.trim() + "' is neither a column nor leftColumn = rightColumn");
        }
        leftKeys.add(pair[0].trim());
        rightKeys.add((pair.length == 2 ? pair[1] : pair[0]).trim());
      }
      Map<String, String> joinOptions = new TreeMap<>(o);
      for (String k : List.of("securejoin", "keys", "how")) joinOptions.remove(k);
      JoinReport r = SecureJoin.join(spark, side(spark, sides[0].trim()), side(spark, sides[1].trim()), leftKeys, rightKeys, o.get("how"),
          joinOptions);
      outputs.put(id, r.path());
      joinsRun.incrementAndGet();
      return r.path();
    }
  }

  private static JoinInput side(SparkSession spark, String spec) {
    if (spec.startsWith("store:")) return JoinInput.joined(spark, spec.substring(6).trim());
    int at = spec.lastIndexOf('@');
    if (at <= 0) throw new SpuQueryException("secureJoin side '" + spec + "' must be TABLE@PARTY or store:PATH");
    int party;
    try {
      party = Integer.parseInt(spec.substring(at + 1).trim());
    } catch (NumberFormatException e) {
      throw new SpuQueryException("secureJoin side '" + spec + "': the owning party after @ must be a party index");
    }
    return JoinInput.owned(party, spark.table(spec.substring(0, at).trim()));
  }

  private static String value(Map<String, String> options, String key) {
    for (Map.Entry<String, String> e : options.entrySet()) if (e.getKey().equalsIgnoreCase(key)) return e.getValue();
    return null;
  }
}

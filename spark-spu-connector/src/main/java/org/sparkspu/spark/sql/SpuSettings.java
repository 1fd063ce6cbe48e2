package org.sparkspu.spark.sql;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import scala.Option;

/**
 * Reads the spark.spu.* settings of a session for the SQL layer (its own small reader, so that the
 * SQL layer does not depend on the plugin), and the per-query option {@value #REVEAL_TO}.
 */
public final class SpuSettings {
  /** Session conf key and data source option: which parties receive the results ("all" or "0,2"). */
  public static final String REVEAL_TO = "spark.spu.revealTo";
  /** The data source option of the same meaning. */
  public static final String REVEAL_TO_OPTION = "revealTo";

  private SpuSettings() {}

  /** The session's spark.spu.* settings, defaults for absent keys. */
  public static SpuConf conf(SparkSession spark) {
    return SpuConf.from(key -> get(spark, key));
  }

  private static String get(SparkSession spark, String key) {
    Option<String> v = spark.conf().getOption(key);
    return v.isDefined() ? v.get() : null;
  }

  /**
   * The receivers of a query: the data source option "revealTo" if given, else the session's
   * spark.spu.revealTo, else every party (null).
   */
  public static int[] revealTo(SparkSession spark, Map<String, String> options, int parties) {
    String v = null;
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase(REVEAL_TO_OPTION)) v = e.getValue();
    }
    if (v == null) v = get(spark, REVEAL_TO);
    return parseParties(v, parties, REVEAL_TO);
  }

  /** "all", empty or null: null (every party); else a comma-separated list of party indices. */
  public static int[] parseParties(String v, int parties, String what) {
    if (v == null || v.isBlank() || v.trim().equalsIgnoreCase("all")) return null;
    TreeSet<Integer> out = new TreeSet<>();
    for (String s : v.split(",")) {
      int p;
      try {
        p = Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        throw new SpuQueryException(what + " must be 'all' or party indices like '0,2', got '" + v + "'");
      }
      out.add(checkParty(p, parties, what));
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Returns {@code p} if it is a party index of a {@code parties}-party session. */
  public static int checkParty(int p, int parties, String what) {
    if (p < 0 || p >= parties) {
      throw new SpuQueryException(what + ": party " + p + " does not exist (parties are 0.." + (parties - 1) + ", spark.spu.parties=" + parties + ")");
    }
    return p;
  }

  /** Parties as text: "all parties" or "parties 0, 2". */
  public static String describe(int[] receivers) {
    if (receivers == null || receivers.length == 0) return "all parties";
    String s = Arrays.toString(receivers);
    return (receivers.length == 1 ? "party " : "parties ") + s.substring(1, s.length() - 1);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}

package org.sparkspu.spark.plan;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.sparkspu.engine.runtime.SessionConfig;

/**
 * The spark.spu.* settings. Every key has a default, so the embedded default needs no configuration:
 * 3 parties under aby3, 18 fraction bits, 60 s per network wait, groups under 4 rows suppressed.
 *
 * <table>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>spark.spu.protocol</td><td>aby3</td><td>aby3 (3 parties, honest majority) or semi2k (n >= 2, trusted-first-party dealer)</td></tr>
 * <tr><td>spark.spu.parties</td><td>3</td><td>number of parties (aby3: exactly 3)</td></tr>
 * <tr><td>spark.spu.fractionBits</td><td>18</td><td>fixed-point fraction bits of DOUBLE values</td></tr>
 * <tr><td>spark.spu.timeout</td><td>60s</td><td>longest wait for any one message before the query fails naming the peer</td></tr>
 * <tr><td>spark.spu.minGroupSize</td><td>4</td><td>groups with fewer rows are suppressed (as SCQL's default)</td></tr>
 * <tr><td>spark.spu.link</td><td>netty</td><td>embedded parties talk over loopback Netty (netty) or in memory (memory)</td></tr>
 * <tr><td>spark.spu.runtime</td><td>auto</td><td>where party engines run: local (threads of the driver), executors (one barrier task per party on the executors), auto (executors when the cluster has one executor slot per party, else local)</td></tr>
 * <tr><td>spark.spu.batchRows</td><td>65536</td><td>rows of a secret table per MPC batch (bounds memory)</td></tr>
 * <tr><td>spark.spu.localEvaluation</td><td>true</td><td>on a secure_join output, a predicate that reads only one owner's columns
 * (a WHERE conjunct, a CASE WHEN condition) is evaluated by that owner on its plaintext rows and enters MPC as its private 0/1
 * mask; false: every predicate in MPC on shares (same results; for comparison). Read per query from the session.</td></tr>
 * </table>
 */
public record SpuConf(String protocol, int parties, int fractionBits, Duration timeout, int minGroupSize, String link,
    String runtime, int batchRows) implements Serializable {

  public static final String PREFIX = "spark.spu.";
  /** Session setting, read per query (not a component of this record): see the table above. */
  public static final String LOCAL_EVALUATION = PREFIX + "localEvaluation";

  /** spark.spu.localEvaluation through {@code get} (default true). */
  public static boolean localEvaluation(Function<String, String> get) {
    String v = or(get, "localEvaluation", "true").toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException(LOCAL_EVALUATION + " must be true or false, got '" + v + "'");
    return v.equals("true");
  }

  public SpuConf {
    protocol = protocol.toLowerCase(Locale.ROOT);
    link = link.toLowerCase(Locale.ROOT);
    runtime = runtime.toLowerCase(Locale.ROOT);
    // Every message names its key, so that a bad setting fails the SparkContext start with a clear reason.
    if (!protocol.equals("aby3") && !protocol.equals("semi2k") && !protocol.equals("ref2k")) {
      throw new IllegalArgumentException("spark.spu.protocol must be aby3, semi2k or ref2k (plaintext, for checking only), got " + protocol);
    }
    if (fractionBits < 0 || fractionBits > 40) throw new IllegalArgumentException("spark.spu.fractionBits must be in [0, 40], got " + fractionBits);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("spark.spu.timeout must be positive, got " + timeout);
    try {
      sessionConfig(protocol, parties, fractionBits, timeout); // what is left to check: the number of parties
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spark.spu.parties: " + e.getMessage(), e);
    }
    if (minGroupSize < 1) throw new IllegalArgumentException("spark.spu.minGroupSize must be >= 1, got " + minGroupSize);
    if (!link.equals("netty") && !link.equals("memory")) throw new IllegalArgumentException("spark.spu.link must be netty or memory, got " + link);
    if (!runtime.equals("auto") && !runtime.equals("local") && !runtime.equals("executors")) {
      throw new IllegalArgumentException("spark.spu.runtime must be auto, local or executors, got " + runtime);
    }
    if (batchRows < 1) throw new IllegalArgumentException("spark.spu.batchRows must be >= 1, got " + batchRows);
  }

  /** The embedded default. */
  public static SpuConf defaults() {
    return new SpuConf("aby3", 3, SessionConfig.DEFAULT_FRACTION_BITS, SessionConfig.DEFAULT_TIMEOUT, 4, "netty", "auto", 1 << 16);
  }

  /** Reads spark.spu.* through {@code get} (key to value or null), defaults for absent keys. */
  public static SpuConf from(Function<String, String> get) {
    SpuConf d = defaults();
    String protocol = or(get, "protocol", d.protocol);
    // semi2k defaults to 2 parties (its natural dishonest-majority setting); aby3 needs exactly 3.
    int parties = intOf(get, "parties", protocol.equalsIgnoreCase("semi2k") ? 2 : 3);
    return new SpuConf(protocol, parties, intOf(get, "fractionBits", d.fractionBits),
        parseDuration(or(get, "timeout", "60s")), intOf(get, "minGroupSize", d.minGroupSize),
        or(get, "link", d.link), or(get, "runtime", d.runtime), intOf(get, "batchRows", d.batchRows));
  }

  private static int intOf(Function<String, String> get, String key, int dflt) {
    String v = or(get, key, null);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PREFIX + key + " must be an integer, got '" + v + "'");
    }
  }

  public static SpuConf from(Map<String, String> conf) {
    return from(conf::get);
  }

  private static String or(Function<String, String> get, String key, String dflt) {
    String v = get.apply(PREFIX + key);
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  /** "60s", "500ms", "2m" or plain seconds. */
  static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
      if (t.endsWith("s")) return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000));
      if (t.endsWith("m")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()) * 60);
      return Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("spark.spu.timeout: cannot read '" + s + "' as a duration (e.g. 60s, 500ms, 2m)");
    }
  }

  private static SessionConfig sessionConfig(String protocol, int parties, int fractionBits, Duration timeout) {
    return SessionConfig.of(protocol, parties).withFractionBits(fractionBits).withTimeout(timeout);
  }

  /** The engine session settings of one query. */
  public SessionConfig sessionConfig() {
    return sessionConfig(protocol, parties, fractionBits, timeout);
  }

  public SpuConf withProtocol(String p, int n) {
    return new SpuConf(p, n, fractionBits, timeout, minGroupSize, link, runtime, batchRows);
  }

  public SpuConf withMinGroupSize(int k) {
    return new SpuConf(protocol, parties, fractionBits, timeout, k, link, runtime, batchRows);
  }

  public SpuConf withRuntime(String r) {
    return new SpuConf(protocol, parties, fractionBits, timeout, minGroupSize, link, r, batchRows);
  }

  public SpuConf withLink(String l) {
    return new SpuConf(protocol, parties, fractionBits, timeout, minGroupSize, l, runtime, batchRows);
  }

  public SpuConf withBatchRows(int rows) {
    return new SpuConf(protocol, parties, fractionBits, timeout, minGroupSize, link, runtime, rows);
  }
}

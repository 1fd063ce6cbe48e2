package org.sparkspu.spark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.sparkspu.arrow.ColumnEncoding;
import org.sparkspu.arrow.LogicalType;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.arrow.SipHash24;

/**
 * Values of a column's public domain (the distinct values its owners declared public, so that the
 * column can be grouped by in the secret layout) in one canonical Java form per type, with their
 * JSON form, their Spark external form and their ring encoding (the same as arrow-bridge's, so that
 * a stored share of the value equals the encoded domain value exactly).
 *
 * <p>Canonical forms: Long for TINYINT/SMALLINT/INT/BIGINT and for TIMESTAMP/TIMESTAMP_NTZ
 * (microseconds since the epoch, UTC), Boolean, Double for FLOAT/DOUBLE, BigDecimal (at the
 * column's scale) for DECIMAL, LocalDate for DATE, String for STRING; null for SQL NULL.
 * BINARY columns cannot have a public domain.
 */
public final class PublicDomain {
  private PublicDomain() {}

  /** Whether a column of this type can have a public domain. */
  public static boolean supports(LogicalType t) {
    return t.kind() != LogicalType.Kind.BINARY;
  }

  /** The canonical form of a value as Spark's Row.get returns it (either date-time API). */
  public static Object canonical(LogicalType t, Object v) {
    if (v == null) return null;
    switch (t.kind()) {
      case TINYINT, SMALLINT, INT, BIGINT:
        return ((Number) v).longValue();
      case FLOAT, DOUBLE: {
        double d = ((Number) v).doubleValue();
        return d == 0.0 ? 0.0 : d; // -0.0 and 0.0 are one SQL value and one ring value
      }
      case DECIMAL: {
        BigDecimal d = v instanceof BigDecimal b ? b : v instanceof scala.math.BigDecimal s ? s.bigDecimal() : new BigDecimal(v.toString());
        return d.setScale(t.scale(), RoundingMode.UNNECESSARY);
      }
      case BOOLEAN:
        return (Boolean) v;
      case DATE:
        if (v instanceof LocalDate l) return l;
        if (v instanceof java.sql.Date d) return d.toLocalDate();
        break;
      case TIMESTAMP:
        if (v instanceof Instant i) return micros(i);
        if (v instanceof java.sql.Timestamp ts) return micros(ts.toInstant());
        break;
      case TIMESTAMP_NTZ:
        if (v instanceof LocalDateTime l) return micros(l.toInstant(ZoneOffset.UTC));
        break;
      case STRING:
        return v.toString();
      default:
        break;
    }
    throw new IllegalArgumentException("a " + t + " public domain cannot hold a " + v.getClass().getSimpleName());
  }

  private static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /**
   * The Spark external value of a canonical value: what a Row of that column type holds
   * ({@code java8Api}: spark.sql.datetime.java8API.enabled, LocalDate/Instant instead of
   * java.sql.Date/Timestamp).
   */
  public static Object external(LogicalType t, Object c, boolean java8Api) {
    if (c == null) return null;
    return switch (t.kind()) {
      case TINYINT -> (byte) (long) (Long) c;
      case SMALLINT -> (short) (long) (Long) c;
      case INT -> (int) (long) (Long) c;
      case BIGINT -> (Long) c;
      case FLOAT -> (float) (double) (Double) c;
      case DOUBLE -> (Double) c;
      case DECIMAL -> (BigDecimal) c;
      case BOOLEAN -> (Boolean) c;
      case DATE -> java8Api ? (LocalDate) c : java.sql.Date.valueOf((LocalDate) c);
      case TIMESTAMP -> java8Api ? instant((Long) c) : java.sql.Timestamp.from(instant((Long) c));
      case TIMESTAMP_NTZ -> LocalDateTime.ofInstant(instant((Long) c), ZoneOffset.UTC);
      case STRING -> (String) c;
      case BINARY -> throw new IllegalArgumentException("BINARY columns have no public domain");
    };
  }

  /**
   * The ring value a stored share of this (non-null) canonical value opens to: arrow-bridge's
   * encoding of the column (exact integers, decimals unscaled or as fixed point rounded half to
   * even, doubles round(x * 2^f), strings {@link ShareStore#stringCode} of the keyed SipHash-2-4 of
   * their UTF-8 bytes).
   */
  public static long ring(SecretColumn col, Object c, byte[] hashKey) {
    LogicalType t = col.type();
    ColumnEncoding e = col.encoding();
    switch (t.kind()) {
      case TINYINT, SMALLINT, INT, BIGINT, TIMESTAMP, TIMESTAMP_NTZ:
        return (Long) c;
      case BOOLEAN:
        return ((Boolean) c) ? 1 : 0;
      case DATE:
        return ((LocalDate) c).toEpochDay();
      case FLOAT, DOUBLE: {
        double x = t.kind() == LogicalType.Kind.FLOAT ? (double) (float) (double) (Double) c : (Double) c;
        return (long) Math.rint(x * Math.scalb(1.0, e.fractionBits()));
      }
      case DECIMAL: {
        BigInteger unscaled = ((BigDecimal) c).unscaledValue();
        if (e.kind() == ColumnEncoding.Kind.INTEGER) return unscaled.longValueExact();
        return new BigDecimal(unscaled.shiftLeft(e.fractionBits()))
            .divide(new BigDecimal(BigInteger.TEN.pow(t.scale())), 0, RoundingMode.HALF_EVEN).longValueExact();
      }
      case STRING:
        return ShareStore.stringCode(new SipHash24(hashKey).hash(((String) c).getBytes(StandardCharsets.UTF_8)));
      default:
        throw new IllegalArgumentException("column '" + col.name() + "': " + t + " has no public domain");
    }
  }

  static JsonNode toJson(LogicalType t, Object c) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (c == null) return f.nullNode();
    return switch (t.kind()) {
      case TINYINT, SMALLINT, INT, BIGINT, TIMESTAMP, TIMESTAMP_NTZ -> f.numberNode((Long) c);
      case FLOAT, DOUBLE -> f.numberNode((Double) c);
      case DECIMAL -> f.textNode(((BigDecimal) c).toPlainString());
      case BOOLEAN -> f.booleanNode((Boolean) c);
      case DATE -> f.textNode(c.toString());
      case STRING -> f.textNode((String) c);
      case BINARY -> throw new IllegalArgumentException("BINARY columns have no public domain");
    };
  }

  static Object fromJson(LogicalType t, JsonNode n) {
    if (n == null || n.isNull()) return null;
    return switch (t.kind()) {
      case TINYINT, SMALLINT, INT, BIGINT, TIMESTAMP, TIMESTAMP_NTZ -> n.longValue();
      case FLOAT, DOUBLE -> n.doubleValue();
      case DECIMAL -> new BigDecimal(n.textValue()).setScale(t.scale(), RoundingMode.UNNECESSARY);
      case BOOLEAN -> n.booleanValue();
      case DATE -> LocalDate.parse(n.textValue());
      case STRING -> n.textValue();
      case BINARY -> throw new IllegalArgumentException("BINARY columns have no public domain");
    };
  }

  /** Canonical values sorted (NULL first, then natural order) without duplicates. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static List<Object> sorted(Iterable<Object> values) {
    boolean hasNull = false;
    TreeSet<Object> set = new TreeSet<>((Comparator) Comparator.naturalOrder());
    for (Object v : values) {
      if (v == null) hasNull = true;
      else set.add(v);
    }
    List<Object> out = new ArrayList<>();
    if (hasNull) out.add(null);
    out.addAll(set);
    return out;
  }
}

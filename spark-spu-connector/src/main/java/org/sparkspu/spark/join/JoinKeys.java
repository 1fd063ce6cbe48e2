package org.sparkspu.spark.join;

import static org.apache.spark.sql.functions.col;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * Canonical bytes of a join key tuple, what PSI hashes to the curve. Each component is a type tag
 * followed by its value: integers (TINYINT..BIGINT) as 8 bytes, DATE as its 4-byte day number,
 * TIMESTAMP as 8 bytes of microseconds, BOOLEAN as one byte, and STRING (UTF-8), BINARY and DECIMAL
 * (its plain string without trailing zeros) length-prefixed. So, as in Spark's join, integers of
 * different widths match by value, and so do decimals of different precision and scale (1.0 and
 * 1.00). The tags keep INT 1 and STRING "1" apart, and tags plus length prefixes make the encoding of a composite key injective. A null in
 * any key column makes the whole key null: the row never matches (SQL's inner-join semantics).
 * Floating-point keys are refused (equality of rounded values is rarely what a join means; cast
 * them to DECIMAL).
 *
 * <p>The values are computed by Spark on the owner's rows (dates and timestamps through
 * {@code unix_date}/{@code unix_micros}, so neither the session time zone nor the java8 date API
 * setting changes the bytes) and collected in row order into the owner's PSI input.
 */
final class JoinKeys {
  private JoinKeys() {}

  /** The row-index column added to every join input (zipWithIndex for an owner's table). */
  static final String ROW = "_spu_row";

  private static final byte T_INT = 1, T_STRING = 2, T_BINARY = 3, T_DATE = 4, T_TIMESTAMP = 5, T_BOOLEAN = 6, T_DECIMAL = 7;

  /** The tag of a supported key type, or an error naming the column. */
  static byte tag(String column, DataType t) {
    if (t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType) return T_INT;
    if (t instanceof StringType) return T_STRING;
    if (t instanceof BinaryType) return T_BINARY;
    if (t instanceof DateType) return T_DATE;
    if (t instanceof TimestampType) return T_TIMESTAMP;
    if (t instanceof BooleanType) return T_BOOLEAN;
    if (t instanceof DecimalType) return T_DECIMAL;
    throw new SpuQueryException(column, "join key column '" + column + "' is " + t.sql() + ": secure_join keys must be integers,"
        + " STRING, BINARY, DATE, TIMESTAMP, BOOLEAN or DECIMAL (cast FLOAT/DOUBLE keys to DECIMAL)");
  }

  /** Both sides' key columns exist and have the same types (any integer widths; any decimals). */
  static void checkTypes(List<String> keys, StructType left, StructType right, String leftName, String rightName) {
    if (keys.isEmpty()) throw new SpuQueryException("secure_join needs at least one key column");
    if (keys.size() != keys.stream().distinct().count()) throw new SpuQueryException("secure_join: a key column is listed twice: " + keys);
    for (String k : keys) {
      DataType l = type(left, k, leftName), r = type(right, k, rightName);
      byte tl = tag(k, l);
      boolean sameValues = l.equals(r) || (tl == tag(k, r) && (tl == T_INT || tl == T_DECIMAL));
      if (!sameValues) {
        throw new SpuQueryException(k, "join key column '" + k + "' is " + l.sql() + " in " + leftName + " but " + r.sql() + " in "
            + rightName + ": cast one side so that the types match");
      }
    }
  }

  private static DataType type(StructType s, String column, String side) {
    int i = Arrays.asList(s.fieldNames()).indexOf(column);
    if (i < 0) {
      throw new SpuQueryException(column, "join key column '" + column + "' is not in " + side + " (columns: "
          + String.join(", ", s.fieldNames()) + ")");
    }
    return s.fields()[i].dataType();
  }

  /**
   * The keys of {@code indexed} (which has the {@link #ROW} column numbering its rows 0..n-1), element
   * i for row i, null where a key column is null.
   */
  static ArrayList<byte[]> collect(Dataset<Row> indexed, List<String> keys) {
    StructType s = indexed.schema();
    List<Column> cols = new ArrayList<>();
    cols.add(col(ROW));
    byte[] tags = new byte[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      DataType t = s.fields()[s.fieldIndex(k)].dataType();
      tags[i] = tag(k, t);
      Column c = indexed.col(quote(k));
      cols.add(switch (tags[i]) {
        case T_INT -> c.cast("bigint");
        case T_DATE -> functions.unix_date(c);
        case T_TIMESTAMP -> functions.unix_micros(c);
        case T_DECIMAL -> c.cast("string");
        default -> c;
      });
    }
    List<Row> rows = indexed.select(cols.toArray(new Column[0])).collectAsList();
    byte[][] out = new byte[rows.size()][];
    for (Row r : rows) {
      long idx = r.getLong(0);
      if (idx < 0 || idx >= out.length) throw new IllegalStateException("row index " + idx + " outside 0.." + (out.length - 1));
      out[(int) idx] = encode(r, tags);
    }
    return new ArrayList<>(Arrays.asList(out));
  }

  /** Canonical bytes of the key values in {@code r}'s columns 1..tags.length, or null when any is null. */
  static byte[] encode(Row r, byte[] tags) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(16 * tags.length);
    for (int i = 0; i < tags.length; i++) {
      Object v = r.get(i + 1);
      if (v == null) return null;
      b.write(tags[i]);
      switch (tags[i]) {
        case T_INT, T_TIMESTAMP -> putLong(b, ((Number) v).longValue());
        case T_DATE -> putInt(b, ((Number) v).intValue());
        case T_BOOLEAN -> b.write((Boolean) v ? 1 : 0);
        case T_STRING -> putBytes(b, ((String) v).getBytes(StandardCharsets.UTF_8));
        case T_DECIMAL -> putBytes(b, (v instanceof BigDecimal d ? d : new BigDecimal(v.toString())).stripTrailingZeros().toPlainString()
            .getBytes(StandardCharsets.UTF_8));
        case T_BINARY -> putBytes(b, (byte[]) v);
        default -> throw new IllegalStateException("tag " + tags[i]);
      }
    }
    return b.toByteArray();
  }

  private static void putBytes(ByteArrayOutputStream b, byte[] v) {
    putInt(b, v.length);
    b.write(v, 0, v.length);
  }

  private static void putInt(ByteArrayOutputStream b, int v) {
    for (int s = 24; s >= 0; s -= 8) b.write(v >>> s);
  }

  private static void putLong(ByteArrayOutputStream b, long v) {
    for (int s = 56; s >= 0; s -= 8) b.write((int) (v >>> s));
  }

  static String quote(String c) {
    return "`" + c.replace("`", "``") + "`";
  }
}

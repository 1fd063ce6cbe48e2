package org.sparkspu.arrow;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * One column of a secret table: its name, the party that owns its plaintext, its SQL type, how its
 * values are encoded in the ring, and whether it has a validity tensor (nullable columns only).
 */
public record SecretColumn(String name, int ownerParty, LogicalType type, ColumnEncoding encoding, boolean nullable)
    implements Serializable {

  public SecretColumn {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("column name is required");
    if (ownerParty < 0) throw new IllegalArgumentException("column '" + name + "': owner party must be >= 0, got " + ownerParty);
    if (type == null || encoding == null) throw new IllegalArgumentException("column '" + name + "': type and encoding are required");
    checkEncodingFitsType(name, type, encoding);
  }

  private static void checkEncodingFitsType(String name, LogicalType type, ColumnEncoding encoding) {
    boolean ok = switch (type.kind()) {
      case TINYINT, SMALLINT, INT, BIGINT, BOOLEAN, DATE, TIMESTAMP, TIMESTAMP_NTZ -> encoding.kind() == ColumnEncoding.Kind.INTEGER;
      case FLOAT, DOUBLE -> encoding.kind() == ColumnEncoding.Kind.FIXED_POINT;
      case DECIMAL -> encoding.kind() == ColumnEncoding.Kind.INTEGER || encoding.kind() == ColumnEncoding.Kind.FIXED_POINT;
      case STRING, BINARY -> encoding.kind() == ColumnEncoding.Kind.KEYED_HASH || encoding.kind() == ColumnEncoding.Kind.RAW_BYTES;
    };
    if (!ok) throw new IllegalArgumentException("column '" + name + "': type " + type + " cannot be encoded as " + encoding);
  }

  /**
   * The Spark type a revealed column decodes to: the logical type, except for hashed strings,
   * which cannot be inverted and come back as their 64-bit hash (BIGINT).
   */
  public DataType revealedSparkType() {
    return encoding.kind() == ColumnEncoding.Kind.KEYED_HASH ? DataTypes.LongType : type.toSpark();
  }

  /** Schema text without any value: safe to log. */
  @Override
  public String toString() {
    return name + " " + type + " " + encoding + (nullable ? " NULL" : " NOT NULL") + " owner=" + ownerParty;
  }
}

package org.sparkspu.arrow;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * The SQL type of a secret column as the data owner declared it, independent of how it is encoded
 * in the ring: decoding a revealed column restores this type. Precision and scale are used only by
 * {@link Kind#DECIMAL} (0 otherwise).
 */
public record LogicalType(Kind kind, int precision, int scale) implements Serializable {
  /** The SQL types the bridge encodes; anything else is rejected by {@link #fromSpark}. */
  public enum Kind {
    TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, BOOLEAN, DATE, TIMESTAMP, TIMESTAMP_NTZ, STRING, BINARY
  }

  /** Largest precision of a Spark decimal. */
  public static final int MAX_DECIMAL_PRECISION = 38;

  public LogicalType {
    if (kind == null) throw new IllegalArgumentException("logical type kind is required");
    if (kind == Kind.DECIMAL) {
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
        throw new IllegalArgumentException("DECIMAL(" + precision + ", " + scale + ") is not a valid decimal type");
      }
    } else if (precision != 0 || scale != 0) {
      throw new IllegalArgumentException(kind + " takes no precision or scale");
    }
  }

  public static LogicalType of(Kind kind) {
    return new LogicalType(kind, 0, 0);
  }

  public static LogicalType decimal(int precision, int scale) {
    return new LogicalType(Kind.DECIMAL, precision, scale);
  }

  /** True for the types whose ring value is an exact integer by nature (no fraction, no hash). */
  public boolean isIntegral() {
    return switch (kind) {
      case TINYINT, SMALLINT, INT, BIGINT, BOOLEAN, DATE, TIMESTAMP, TIMESTAMP_NTZ -> true;
      default -> false;
    };
  }

  /**
   * The logical type of a Spark column, or a {@link ColumnEncodingException} naming the column and
   * its type when the bridge cannot encode it (arrays, maps, structs, intervals, variants, ...).
   */
  public static LogicalType fromSpark(String column, DataType type) {
    if (type instanceof DecimalType d) return decimal(d.precision(), d.scale());
    Kind k;
    if (type.equals(DataTypes.ByteType)) k = Kind.TINYINT;
    else if (type.equals(DataTypes.ShortType)) k = Kind.SMALLINT;
    else if (type.equals(DataTypes.IntegerType)) k = Kind.INT;
    else if (type.equals(DataTypes.LongType)) k = Kind.BIGINT;
    else if (type.equals(DataTypes.FloatType)) k = Kind.FLOAT;
    else if (type.equals(DataTypes.DoubleType)) k = Kind.DOUBLE;
    else if (type.equals(DataTypes.BooleanType)) k = Kind.BOOLEAN;
    else if (type.equals(DataTypes.DateType)) k = Kind.DATE;
    else if (type.equals(DataTypes.TimestampType)) k = Kind.TIMESTAMP;
    else if (type.equals(DataTypes.TimestampNTZType)) k = Kind.TIMESTAMP_NTZ;
    else if (type.equals(DataTypes.BinaryType)) k = Kind.BINARY;
    // Collated strings are StringType instances too; only the default (binary) collation keeps
    // byte equality meaning value equality, which hashing and PSI rely on.
    else if (type.equals(DataTypes.StringType)) k = Kind.STRING;
    else throw ColumnEncodingException.unsupportedType(column, type.sql());
    return of(k);
  }

  /** The Spark type this logical type decodes to. */
  public DataType toSpark() {
    return switch (kind) {
      case TINYINT -> DataTypes.ByteType;
      case SMALLINT -> DataTypes.ShortType;
      case INT -> DataTypes.IntegerType;
      case BIGINT -> DataTypes.LongType;
      case FLOAT -> DataTypes.FloatType;
      case DOUBLE -> DataTypes.DoubleType;
      case DECIMAL -> DataTypes.createDecimalType(precision, scale);
      case BOOLEAN -> DataTypes.BooleanType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP -> DataTypes.TimestampType;
      case TIMESTAMP_NTZ -> DataTypes.TimestampNTZType;
      case STRING -> DataTypes.StringType;
      case BINARY -> DataTypes.BinaryType;
    };
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL ? "DECIMAL(" + precision + ", " + scale + ")" : kind.name();
  }
}

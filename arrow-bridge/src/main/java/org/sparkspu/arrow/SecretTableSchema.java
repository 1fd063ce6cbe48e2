package org.sparkspu.arrow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schema of a secret table: its columns in order. It travels with plans (Java serialisation
 * for Spark closures, kryo5 through {@link SecretSchemaKryo}) so that every party decodes a
 * revealed column the same way.
 */
public record SecretTableSchema(List<SecretColumn> columns) implements Serializable {
  /**
   * Decimals with at most this many digits always have |unscaled| < 10^18 < 2^62 and are encoded as
   * exact integers; wider ones as fixed point.
   */
  public static final int MAX_EXACT_DECIMAL_PRECISION = 18;

  public SecretTableSchema {
    columns = List.copyOf(columns);
    Set<String> seen = new HashSet<>();
    for (SecretColumn c : columns) {
      if (!seen.add(c.name())) throw new IllegalArgumentException("column '" + c.name() + "' appears twice in the schema");
    }
  }

  /**
   * The secret schema of a DataFrame owned by {@code ownerParty}: integers, booleans, dates and
   * timestamps as exact integers; floats and doubles as fixed point with {@code fractionBits};
   * DECIMAL(p, s) as exact scaled integers when p <= 18, else fixed point; strings and binaries as
   * keyed hashes, except the columns named in {@code rawBytesColumns}, kept as bytes for PSI.
   * Unsupported types raise a {@link ColumnEncodingException} naming the column and type.
   */
  public static SecretTableSchema fromSpark(StructType schema, int ownerParty, int fractionBits, Set<String> rawBytesColumns) {
    Set<String> names = new HashSet<>();
    for (StructField f : schema.fields()) names.add(f.name());
    for (String raw : rawBytesColumns) {
      if (!names.contains(raw)) throw new IllegalArgumentException("raw-bytes column '" + raw + "' is not in the schema " + schema.simpleString());
    }
    List<SecretColumn> cols = new ArrayList<>();
    for (StructField f : schema.fields()) {
      LogicalType t = LogicalType.fromSpark(f.name(), f.dataType());
      ColumnEncoding e = switch (t.kind()) {
        case FLOAT, DOUBLE -> ColumnEncoding.fixedPoint(fractionBits);
        case DECIMAL -> t.precision() <= MAX_EXACT_DECIMAL_PRECISION ? ColumnEncoding.INTEGER : ColumnEncoding.fixedPoint(fractionBits);
        case STRING, BINARY -> rawBytesColumns.contains(f.name()) ? ColumnEncoding.RAW_BYTES : ColumnEncoding.KEYED_HASH;
        default -> ColumnEncoding.INTEGER;
      };
      cols.add(new SecretColumn(f.name(), ownerParty, t, e, f.nullable()));
    }
    return new SecretTableSchema(cols);
  }

  public static SecretTableSchema fromSpark(StructType schema, int ownerParty, int fractionBits) {
    return fromSpark(schema, ownerParty, fractionBits, Set.of());
  }

  public int size() {
    return columns.size();
  }

  public SecretColumn column(int i) {
    return columns.get(i);
  }

  /** The Spark schema of the plaintext input (each column's logical type). */
  public StructType sparkSchema() {
    StructType s = new StructType();
    for (SecretColumn c : columns) s = s.add(c.name(), c.type().toSpark(), c.nullable());
    return s;
  }

  /** The Spark schema a revealed table decodes to (hashed columns come back as BIGINT hashes). */
  public StructType revealedSparkSchema() {
    StructType s = new StructType();
    for (SecretColumn c : columns) s = s.add(c.name(), c.revealedSparkType(), c.nullable());
    return s;
  }

  @Override
  public String toString() {
    return "SecretTableSchema" + columns;
  }
}

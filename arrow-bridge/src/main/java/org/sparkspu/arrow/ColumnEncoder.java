package org.sparkspu.arrow;

import org.apache.arrow.vector.FieldVector;

/**
 * Encodes a window of one Arrow column into ring form in bulk: values into a long[] (one ring
 * element per row, 0 where null) plus a 0/1 validity tensor for nullable columns. One encoder per
 * column, chosen by {@link #forColumn} from the column's logical type and encoding. Encoders keep
 * scratch arrays between batches and are therefore not thread-safe: one per partition.
 */
public interface ColumnEncoder {
  /**
   * Encodes rows [offset, offset + count) of {@code vector}. {@code firstRow} is the partition row
   * number of row {@code offset}, used to name the row in errors.
   *
   * @throws ColumnEncodingException for a value outside the encodable range, a NaN or infinity, a
   *     null in a NOT NULL column, or a vector whose Arrow type does not match the column
   */
  EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow);

  /**
   * The encoder for {@code column}. {@code hashKey} keys the SipHash of KEYED_HASH columns and may
   * be null when the schema has none.
   */
  static ColumnEncoder forColumn(SecretColumn column, SipHash24 hashKey) {
    return switch (column.encoding().kind()) {
      case INTEGER -> switch (column.type().kind()) {
        case BOOLEAN -> new BooleanColumnEncoder(column);
        case DECIMAL -> new DecimalColumnEncoder(column);
        default -> new IntegerColumnEncoder(column);
      };
      case FIXED_POINT -> column.type().kind() == LogicalType.Kind.DECIMAL
          ? new DecimalColumnEncoder(column)
          : new FixedPointColumnEncoder(column);
      case KEYED_HASH -> {
        if (hashKey == null) {
          throw new IllegalArgumentException("column '" + column.name() + "' is encoded as KEYED_HASH but no session hash key was given");
        }
        yield new KeyedHashColumnEncoder(column, hashKey);
      }
      case RAW_BYTES -> new RawBytesColumnEncoder(column);
    };
  }
}

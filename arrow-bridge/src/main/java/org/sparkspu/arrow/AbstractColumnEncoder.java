package org.sparkspu.arrow;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.Types.MinorType;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/** What every column encoder shares: the Arrow type check, the validity tensor, error messages. */
abstract class AbstractColumnEncoder implements ColumnEncoder {
  /** Exclusive bound on the magnitude of every ring value the engine does arithmetic on: 2^62. */
  static final long LIMIT = FixedPoint.LIMIT;

  final SecretColumn column;

  AbstractColumnEncoder(SecretColumn column) {
    this.column = column;
  }

  /** Rejects a vector whose Arrow type is not one this column's logical type arrives as. */
  void checkVector(FieldVector vector, MinorType... accepted) {
    MinorType actual = vector.getMinorType();
    for (MinorType m : accepted) if (m == actual) return;
    throw new ColumnEncodingException(column.name(), -1, "Arrow vector of type " + actual + " does not carry "
        + column.type() + " (expected " + Arrays.toString(accepted) + ")");
  }

  /** Strings arrive as (Large)VarChar, binaries as (Large)VarBinary. */
  void checkVariableWidthVector(FieldVector vector) {
    if (column.type().kind() == LogicalType.Kind.STRING) {
      checkVector(vector, MinorType.VARCHAR, MinorType.LARGEVARCHAR);
    } else {
      checkVector(vector, MinorType.VARBINARY, MinorType.LARGEVARBINARY);
    }
  }

  /**
   * The 0/1 validity of the window, or null when the column is NOT NULL. A null in a NOT NULL
   * column is an error naming its row.
   */
  long[] validity(FieldVector vector, int offset, int count, long firstRow) {
    // The whole vector's null count is cached by Arrow; a window of a larger vector is scanned.
    boolean anyNull = offset == 0 && count == vector.getValueCount() ? vector.getNullCount() > 0 : windowHasNull(vector, offset, count);
    if (!column.nullable()) {
      if (anyNull) {
        for (int i = 0; i < count; i++) {
          if (vector.isNull(offset + i)) {
            throw new ColumnEncodingException(column.name(), firstRow + i, "null in a column declared NOT NULL");
          }
        }
      }
      return null;
    }
    long[] valid = new long[count];
    if (!anyNull) {
      Arrays.fill(valid, 1L);
    } else {
      ArrowBuf bits = vector.getValidityBuffer();
      for (int i = 0; i < count; i++) valid[i] = BitVectorHelper.get(bits, offset + i);
    }
    return valid;
  }

  private static boolean windowHasNull(FieldVector vector, int offset, int count) {
    for (int i = 0; i < count; i++) if (vector.isNull(offset + i)) return true;
    return false;
  }

  /** True where row i of the window holds a value. */
  static boolean present(long[] validity, int i) {
    return validity == null || validity[i] != 0;
  }

  EncodedColumn column(long[] values, long[] validity) {
    return new EncodedColumn(column, RingTensor.wrap(values, Shape.vector(values.length)),
        validity == null ? null : RingTensor.wrap(validity, Shape.vector(validity.length)), null);
  }

  ColumnEncodingException outOfIntegerRange(long row) {
    return new ColumnEncodingException(column.name(), row,
        "value outside the encodable integer range |v| < 2^62 = " + LIMIT + " (" + column.type() + " as " + column.encoding() + ")");
  }
}

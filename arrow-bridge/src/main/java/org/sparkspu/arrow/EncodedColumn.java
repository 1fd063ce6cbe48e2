package org.sparkspu.arrow;

import java.util.List;
import org.sparkspu.engine.ring.RingTensor;

/**
 * One column of a batch in ring form, as a party inputs it to the engine or as it comes back
 * revealed. {@code values} holds one ring element per row (0 where the row is null); it is null only
 * for {@link ColumnEncoding.Kind#RAW_BYTES} columns, whose values are in {@code bytes} instead (null
 * entries for null rows). {@code validity} holds 1 for a present value and 0 for a null; it is null
 * for columns declared NOT NULL.
 */
public record EncodedColumn(SecretColumn column, RingTensor values, RingTensor validity, List<byte[]> bytes) {
  public EncodedColumn {
    if (column == null) throw new IllegalArgumentException("column is required");
    if (column.encoding().hasRingValues() != (values != null)) {
      throw new IllegalArgumentException("column '" + column.name() + "': " + column.encoding()
          + (values == null ? " needs a values tensor" : " has no values tensor"));
    }
    if (!column.encoding().hasRingValues() && bytes == null) {
      throw new IllegalArgumentException("column '" + column.name() + "': RAW_BYTES needs its bytes");
    }
    if (column.nullable() && validity == null) {
      throw new IllegalArgumentException("column '" + column.name() + "' is nullable and needs a validity tensor");
    }
    int n = rowCount(values, validity, bytes);
    if ((values != null && values.size() != n) || (validity != null && validity.size() != n) || (bytes != null && bytes.size() != n)) {
      throw new IllegalArgumentException("column '" + column.name() + "': values, validity and bytes disagree on the row count");
    }
  }

  private static int rowCount(RingTensor values, RingTensor validity, List<byte[]> bytes) {
    if (values != null) return values.size();
    if (validity != null) return validity.size();
    return bytes.size();
  }

  /** Rows in this column. */
  public int rowCount() {
    return rowCount(values, validity, bytes);
  }

  /** True where row {@code i} holds a value (always true for NOT NULL columns). */
  public boolean isValid(int i) {
    return validity == null || validity.get(i) != 0;
  }

  /** Shape and encoding only: values are private and never printed. */
  @Override
  public String toString() {
    return "EncodedColumn[" + column + ", rows=" + rowCount() + "]";
  }
}

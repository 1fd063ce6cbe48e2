package org.sparkspu.arrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * Arrow record batch to ring tensors: one {@link ColumnEncoder} per column of a secret schema,
 * applied to a window of rows of the batch's vectors. Vectors are matched to columns by position
 * and checked by name. Not thread-safe (encoders reuse scratch arrays): one per partition.
 */
public final class BatchEncoder {
  private final SecretTableSchema schema;
  private final ColumnEncoder[] encoders;

  /** {@code hashKey} may be null when no column is KEYED_HASH. */
  public BatchEncoder(SecretTableSchema schema, SipHash24 hashKey) {
    this.schema = schema;
    this.encoders = new ColumnEncoder[schema.size()];
    for (int i = 0; i < encoders.length; i++) encoders[i] = ColumnEncoder.forColumn(schema.column(i), hashKey);
  }

  public SecretTableSchema schema() {
    return schema;
  }

  /**
   * Encodes rows [offset, offset + count) of {@code vectors}; {@code firstRow} is the partition row
   * number of row {@code offset}.
   */
  public EncodedBatch encode(List<FieldVector> vectors, int offset, int count, long firstRow) {
    if (vectors.size() != encoders.length) {
      throw new IllegalArgumentException("the batch has " + vectors.size() + " columns, the schema " + encoders.length + ": " + schema);
    }
    List<EncodedColumn> out = new ArrayList<>(encoders.length);
    for (int i = 0; i < encoders.length; i++) {
      FieldVector v = vectors.get(i);
      String expected = schema.column(i).name();
      if (!expected.equals(v.getName())) {
        throw new IllegalArgumentException("column " + i + " of the batch is '" + v.getName() + "', the schema expects '" + expected + "'");
      }
      if (offset < 0 || count < 0 || offset + count > v.getValueCount()) {
        throw new IllegalArgumentException("rows [" + offset + ", " + (offset + count) + ") outside column '" + expected
            + "' of " + v.getValueCount() + " rows");
      }
      out.add(encoders[i].encode(v, offset, count, firstRow));
    }
    return new EncodedBatch(firstRow, count, out);
  }
}

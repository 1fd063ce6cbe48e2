package org.sparkspu.arrow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VariableWidthFieldVector;
import org.apache.arrow.vector.types.Types.MinorType;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * STRING and BINARY kept as their bytes (UTF-8 for strings), for PSI protocols that hash or
 * encrypt the keys themselves. There is no ring tensor; null rows are null entries, validity 0.
 */
final class RawBytesColumnEncoder extends AbstractColumnEncoder {
  RawBytesColumnEncoder(SecretColumn column) {
    super(column);
  }

  @Override
  public EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow) {
    checkVariableWidthVector(vector);
    long[] valid = validity(vector, offset, count, firstRow);
    VariableWidthFieldVector v = (VariableWidthFieldVector) vector;
    List<byte[]> bytes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) bytes.add(present(valid, i) ? v.get(offset + i) : null);
    return new EncodedColumn(column, null, valid == null ? null : RingTensor.wrap(valid, Shape.vector(count)),
        Collections.unmodifiableList(bytes));
  }
}

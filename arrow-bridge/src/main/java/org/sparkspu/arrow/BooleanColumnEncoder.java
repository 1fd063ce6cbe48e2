package org.sparkspu.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.Types.MinorType;

/** BOOLEAN as the integers 0 (false) and 1 (true), so that a sum counts the true rows. */
final class BooleanColumnEncoder extends AbstractColumnEncoder {
  BooleanColumnEncoder(SecretColumn column) {
    super(column);
  }

  @Override
  public EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow) {
    checkVector(vector, MinorType.BIT);
    long[] valid = validity(vector, offset, count, firstRow);
    long[] out = new long[count];
    ArrowBuf bits = vector.getDataBuffer();
    for (int i = 0; i < count; i++) out[i] = BitVectorHelper.get(bits, offset + i);
    if (valid != null) {
      for (int i = 0; i < count; i++) out[i] &= valid[i];
    }
    return column(out, valid);
  }
}

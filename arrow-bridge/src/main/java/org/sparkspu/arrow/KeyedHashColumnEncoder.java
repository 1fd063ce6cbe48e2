package org.sparkspu.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VariableWidthFieldVector;
import org.apache.arrow.vector.types.Types.MinorType;

/**
 * STRING and BINARY join keys as the keyed SipHash-2-4 of their bytes (UTF-8 for strings): equal
 * keys give equal ring values; the full 64 bits are used, so hashes support equality only, never
 * arithmetic or order. Null rows hash to nothing: value 0, validity 0.
 */
final class KeyedHashColumnEncoder extends AbstractColumnEncoder {
  private final SipHash24 hash;
  private byte[] scratch = new byte[0];

  KeyedHashColumnEncoder(SecretColumn column, SipHash24 hash) {
    super(column);
    this.hash = hash;
  }

  @Override
  public EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow) {
    checkVariableWidthVector(vector);
    long[] valid = validity(vector, offset, count, firstRow);
    long[] out = new long[count];
    if (count > 0 && vector instanceof BaseVariableWidthVector v) {
      // One copy of the window's bytes, then hash slices of it.
      ArrowBuf offsets = v.getOffsetBuffer();
      int start = offsets.getInt((long) offset * 4);
      int end = offsets.getInt((long) (offset + count) * 4);
      int len = end - start;
      byte[] b = scratch.length >= len ? scratch : (scratch = new byte[len]);
      v.getDataBuffer().getBytes(start, b, 0, len);
      int from = start;
      for (int i = 0; i < count; i++) {
        int to = offsets.getInt((long) (offset + i + 1) * 4);
        if (present(valid, i)) out[i] = hash.hash(b, from - start, to - from);
        from = to;
      }
    } else {
      VariableWidthFieldVector v = (VariableWidthFieldVector) vector;
      for (int i = 0; i < count; i++) {
        if (present(valid, i)) out[i] = hash.hash(v.get(offset + i));
      }
    }
    return column(out, valid);
  }
}

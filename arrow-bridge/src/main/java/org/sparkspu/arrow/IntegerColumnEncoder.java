package org.sparkspu.arrow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.Types.MinorType;

/**
 * TINYINT, SMALLINT, INT, BIGINT, DATE (days since 1970-01-01) and TIMESTAMP / TIMESTAMP_NTZ
 * (microseconds since the epoch) as exact integers with f = 0. The data buffer is bulk-copied into
 * the long[] through a little-endian view; only 64-bit values can exceed |v| < 2^62 and are checked.
 */
final class IntegerColumnEncoder extends AbstractColumnEncoder {
  private final MinorType minorType;
  private int[] intScratch = new int[0];
  private short[] shortScratch = new short[0];

  IntegerColumnEncoder(SecretColumn column) {
    super(column);
    this.minorType = switch (column.type().kind()) {
      case TINYINT -> MinorType.TINYINT;
      case SMALLINT -> MinorType.SMALLINT;
      case INT -> MinorType.INT;
      case BIGINT -> MinorType.BIGINT;
      case DATE -> MinorType.DATEDAY;
      case TIMESTAMP -> MinorType.TIMESTAMPMICROTZ;
      case TIMESTAMP_NTZ -> MinorType.TIMESTAMPMICRO;
      default -> throw new IllegalArgumentException("column '" + column.name() + "': " + column.type() + " is not an integer type");
    };
  }

  @Override
  public EncodedColumn encode(FieldVector vector, int offset, int count, long firstRow) {
    checkVector(vector, minorType);
    long[] valid = validity(vector, offset, count, firstRow);
    long[] out = new long[count];
    int width = ((BaseFixedWidthVector) vector).getTypeWidth();
    if (count > 0) {
      ByteBuffer bytes = vector.getDataBuffer().nioBuffer((long) offset * width, count * width).order(ByteOrder.LITTLE_ENDIAN);
      switch (width) {
        case 8 -> {
          bytes.asLongBuffer().get(out, 0, count);
          checkRange(out, valid, firstRow);
        }
        case 4 -> {
          int[] s = intScratch.length >= count ? intScratch : (intScratch = new int[count]);
          bytes.asIntBuffer().get(s, 0, count);
          for (int i = 0; i < count; i++) out[i] = s[i];
        }
        case 2 -> {
          short[] s = shortScratch.length >= count ? shortScratch : (shortScratch = new short[count]);
          bytes.asShortBuffer().get(s, 0, count);
          for (int i = 0; i < count; i++) out[i] = s[i];
        }
        case 1 -> {
          for (int i = 0; i < count; i++) out[i] = bytes.get(i);
        }
        default -> throw new IllegalStateException("unexpected type width " + width);
      }
    }
    if (valid != null) {
      for (int i = 0; i < count; i++) out[i] &= -valid[i]; // 0 where null, whatever the buffer held
    }
    return column(out, valid);
  }

  /** |v| < 2^62 for every present value; the first offender is reported. */
  private void checkRange(long[] out, long[] valid, long firstRow) {
    boolean bad = false;
    for (long v : out) bad |= v >= LIMIT | v <= -LIMIT;
    if (!bad) return;
    for (int i = 0; i < out.length; i++) {
      long v = out[i];
      if ((v >= LIMIT || v <= -LIMIT) && present(valid, i)) throw outOfIntegerRange(firstRow + i);
    }
  }
}

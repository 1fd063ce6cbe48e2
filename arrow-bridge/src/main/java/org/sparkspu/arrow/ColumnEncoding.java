package org.sparkspu.arrow;

import java.io.Serializable;

/**
 * How a column's values become ring elements in Z_2^64. The engine reads it to know whether a
 * revealed sum is an exact integer, a fixed-point real with {@code fractionBits}, a hash that only
 * supports equality, or not a ring value at all (raw bytes kept for PSI).
 */
public record ColumnEncoding(Kind kind, int fractionBits) implements Serializable {
  /** The encodings of a column. */
  public enum Kind {
    /**
     * Exact integer, f = 0, |v| < 2^62. Decimals stored this way hold their unscaled value (the
     * real is v * 10^-scale of the logical type).
     */
    INTEGER,
    /** round(x * 2^f), |round(x * 2^f)| < 2^62. */
    FIXED_POINT,
    /** Keyed SipHash-2-4 of the value's bytes, all 64 bits: for equality (join keys) only. */
    KEYED_HASH,
    /** The value's bytes are kept as they are (for PSI); there is no ring tensor. */
    RAW_BYTES
  }

  public static final ColumnEncoding INTEGER = new ColumnEncoding(Kind.INTEGER, 0);
  public static final ColumnEncoding KEYED_HASH = new ColumnEncoding(Kind.KEYED_HASH, 0);
  public static final ColumnEncoding RAW_BYTES = new ColumnEncoding(Kind.RAW_BYTES, 0);

  public ColumnEncoding {
    if (kind == null) throw new IllegalArgumentException("encoding kind is required");
    if (kind == Kind.FIXED_POINT && (fractionBits < 0 || fractionBits > 60)) {
      throw new IllegalArgumentException("fraction bits must be in [0, 60], got " + fractionBits);
    }
    if (kind != Kind.FIXED_POINT && fractionBits != 0) {
      throw new IllegalArgumentException(kind + " has no fraction bits");
    }
  }

  public static ColumnEncoding fixedPoint(int fractionBits) {
    return new ColumnEncoding(Kind.FIXED_POINT, fractionBits);
  }

  /** True where the column becomes a ring tensor (all but raw bytes). */
  public boolean hasRingValues() {
    return kind != Kind.RAW_BYTES;
  }

  @Override
  public String toString() {
    return kind == Kind.FIXED_POINT ? "FIXED_POINT(f=" + fractionBits + ")" : kind.name();
  }
}

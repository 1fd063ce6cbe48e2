package org.sparkspu.engine.psi;

/**
 * Open-addressing hash map from 128-bit tags (pseudo-random, so their low bits index directly)
 * to int positions: 20 bytes per entry at load 1/2 instead of ~100 for a HashMap of boxed keys.
 */
final class TagTable {
  private final long[] hi;
  private final long[] lo;
  private final int[] value; // position + 1; 0 = empty
  private final int mask;
  private int size;

  TagTable(int expected) {
    if (expected > 1 << 29) throw new IllegalArgumentException("too many tags for one table: " + expected);
    int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1; // >= 2 * expected, power of 2
    hi = new long[capacity];
    lo = new long[capacity];
    value = new int[capacity];
    mask = capacity - 1;
  }

  /** Adds tag -> position; returns false (and keeps the old entry) if the tag is present. */
  boolean put(long h, long l, int position) {
    int i = (int) l & mask;
    while (value[i] != 0) {
      if (hi[i] == h && lo[i] == l) return false;
      i = (i + 1) & mask;
    }
    hi[i] = h;
    lo[i] = l;
    value[i] = position + 1;
    size++;
    return true;
  }

  /** The position stored for the tag, or -1. */
  int get(long h, long l) {
    int i = (int) l & mask;
    while (value[i] != 0) {
      if (hi[i] == h && lo[i] == l) return value[i] - 1;
      i = (i + 1) & mask;
    }
    return -1;
  }

  int size() {
    return size;
  }
}

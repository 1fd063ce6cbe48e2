package org.sparkspu.engine.mpc;

import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Bit permutations used to pack the narrowing levels of boolean circuits densely. Every function
 * here is linear over XOR (a permutation or a selection of bits), so it can be applied to each
 * part of a boolean share locally.
 */
public final class BitPacking {
  public static final long LO = 0xFFFFFFFFL;
  public static final long HI = ~LO;

  private BitPacking() {}

  /** Even bits of x to the low 32 bits, odd bits to the high 32, order kept (Hacker's Delight 7-2). */
  public static long unshuffle(long x) {
    long t;
    t = (x ^ (x >>> 1)) & 0x2222222222222222L;
    x = x ^ t ^ (t << 1);
    t = (x ^ (x >>> 2)) & 0x0C0C0C0C0C0C0C0CL;
    x = x ^ t ^ (t << 2);
    t = (x ^ (x >>> 4)) & 0x00F000F000F000F0L;
    x = x ^ t ^ (t << 4);
    t = (x ^ (x >>> 8)) & 0x0000FF000000FF00L;
    x = x ^ t ^ (t << 8);
    t = (x ^ (x >>> 16)) & 0x00000000FFFF0000L;
    x = x ^ t ^ (t << 16);
    return x;
  }

  public static RingTensor unshuffle(RingTensor t) {
    long[] d = t.data(), r = new long[d.length];
    for (int i = 0; i < d.length; i++) r[i] = unshuffle(d[i]);
    return RingTensor.wrap(r, t.shape());
  }

  /** From unshuffled propagate words (Po | Pe): the left AND operand Po | Po. */
  public static RingTensor oddTwice(RingTensor pu) {
    long[] d = pu.data(), r = new long[d.length];
    for (int i = 0; i < d.length; i++) r[i] = (d[i] & HI) | (d[i] >>> 32);
    return RingTensor.wrap(r, pu.shape());
  }

  /** From unshuffled propagate and generate words: the right AND operand Pe | Ge. */
  public static RingTensor evenPropagateEvenGenerate(RingTensor pu, RingTensor gu) {
    long[] p = pu.data(), g = gu.data(), r = new long[p.length];
    for (int i = 0; i < p.length; i++) r[i] = (p[i] << 32) | (g[i] & LO);
    return RingTensor.wrap(r, pu.shape());
  }

  /**
   * Next level's generate, packed: Go ^ (Po & Ge) from each word, low halves of pairs merged.
   * {@code t} holds (Po & Pe) << 32 | (Po & Ge).
   */
  public static RingTensor nextGenerate(RingTensor gu, RingTensor t) {
    long[] g = gu.data(), a = t.data();
    long[] r = new long[(g.length + 1) / 2];
    for (int i = 0; i < r.length; i++) {
      int j = 2 * i;
      long lo = (g[j] >>> 32) ^ (a[j] & LO);
      long hi = j + 1 < g.length ? ((g[j + 1] >>> 32) ^ (a[j + 1] & LO)) << 32 : 0L;
      r[i] = lo | hi;
    }
    return RingTensor.wrap(r, Shape.vector(r.length));
  }

  /** Low 32 bits of consecutive longs merged in pairs: r[i] = t[2i].lo | t[2i+1].lo << 32. */
  public static RingTensor mergeLow(RingTensor t) {
    long[] d = t.data();
    long[] r = new long[(d.length + 1) / 2];
    for (int i = 0; i < r.length; i++) {
      int j = 2 * i;
      r[i] = (d[j] & LO) | (j + 1 < d.length ? d[j + 1] << 32 : 0L);
    }
    return RingTensor.wrap(r, Shape.vector(r.length));
  }

  /** High 32 bits of consecutive longs merged in pairs: r[i] = t[2i].hi | t[2i+1].hi << 32. */
  public static RingTensor mergeHigh(RingTensor t) {
    long[] d = t.data();
    long[] r = new long[(d.length + 1) / 2];
    for (int i = 0; i < r.length; i++) {
      int j = 2 * i;
      r[i] = (d[j] >>> 32) | (j + 1 < d.length ? d[j + 1] & HI : 0L);
    }
    return RingTensor.wrap(r, Shape.vector(r.length));
  }

  /** The sign bit (bit 63) of each element, packed 64 to a long (element e in bit e % 64 of word e / 64). */
  public static RingTensor packSigns(RingTensor t) {
    long[] d = t.data();
    long[] r = new long[(d.length + 63) / 64];
    for (int e = 0; e < d.length; e++) r[e >>> 6] |= (d[e] >>> 63) << (e & 63);
    return RingTensor.wrap(r, Shape.vector(r.length));
  }

  /** One bit per element, packed 64 to a long, back to one element per long (in bit 0). */
  public static RingTensor unpackBits(RingTensor packed, Shape shape) {
    long[] d = packed.data();
    long[] r = new long[shape.size()];
    for (int e = 0; e < r.length; e++) r[e] = (d[e >>> 6] >>> (e & 63)) & 1L;
    return RingTensor.wrap(r, shape);
  }
}

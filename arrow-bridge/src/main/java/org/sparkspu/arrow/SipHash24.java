package org.sparkspu.arrow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", INDOCRYPT 2012): a keyed
 * 64-bit hash used to turn string and binary join keys into ring elements. Keyed by a 128-bit
 * session key, so a party without the key cannot test guesses against hashes. Among n distinct
 * keys, the chance that any two collide is at most n^2 / 2^65 (birthday bound on 64 bits): about
 * 2.7e-8 for a million keys, 2.7e-2 for a billion.
 *
 * <p>The key is held in two longs and never printed.
 */
public final class SipHash24 {
  /** Key length in bytes. */
  public static final int KEY_BYTES = 16;

  private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final long k0;
  private final long k1;

  /** A hash keyed by the 16 bytes of {@code key} (little-endian k0 then k1, as in the paper). */
  public SipHash24(byte[] key) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a SipHash-2-4 key has " + KEY_BYTES + " bytes, got " + (key == null ? "none" : key.length));
    }
    this.k0 = (long) LE_LONG.get(key, 0);
    this.k1 = (long) LE_LONG.get(key, 8);
  }

  /** SipHash-2-4 of {@code len} bytes of {@code b} from {@code off}. */
  public long hash(byte[] b, int off, int len) {
    long v0 = 0x736f6d6570736575L ^ k0;
    long v1 = 0x646f72616e646f6dL ^ k1;
    long v2 = 0x6c7967656e657261L ^ k0;
    long v3 = 0x7465646279746573L ^ k1;
    int end = off + (len & ~7);
    for (int i = off; i < end; i += 8) {
      long m = (long) LE_LONG.get(b, i);
      v3 ^= m;
      for (int r = 0; r < 2; r++) {
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
      }
      v0 ^= m;
    }
    long last = ((long) len & 0xff) << 56;
    for (int i = 0, rem = len & 7; i < rem; i++) last |= (b[end + i] & 0xffL) << (8 * i);
    v3 ^= last;
    for (int r = 0; r < 2; r++) {
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    v0 ^= last;
    v2 ^= 0xff;
    for (int r = 0; r < 4; r++) {
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    return v0 ^ v1 ^ v2 ^ v3;
  }

  public long hash(byte[] b) {
    return hash(b, 0, b.length);
  }

  @Override
  public String toString() {
    return "SipHash24[key hidden]";
  }
}

package org.sparkspu.engine.crypto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pseudo-random generator: AES-128 in counter mode, keyed by a 128-bit seed.
 *
 * <p>Built as AES/ECB over a buffer of counter blocks rather than the JDK's AES/CTR, because the
 * ECB path takes the AES-NI intrinsic and runs ~9x faster on our machines (NOTES.md pitfall 11).
 * Two PRGs with the same seed produce the same stream; that is how parties holding a common seed
 * derive correlated randomness without talking. Not thread-safe.
 */
public final class Prg {
  public static final int SEED_BYTES = 16;
  private static final int CHUNK_BYTES = 1 << 15; // 32 KiB per cipher call stays in L1/L2

  private final Cipher aes;
  private final byte[] counterBlocks = new byte[CHUNK_BYTES];
  private final byte[] keystream = new byte[CHUNK_BYTES];
  private final LongBuffer keystreamLongs =
      ByteBuffer.wrap(keystream).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
  private long counter;

  public Prg(byte[] seed) {
    if (seed.length != SEED_BYTES) throw new IllegalArgumentException("PRG seed must be 16 bytes");
    try {
      aes = Cipher.getInstance("AES/ECB/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES is not available in this JVM", e);
    }
  }

  /** A fresh seed from the operating system's entropy. */
  public static byte[] freshSeed(SecureRandom random) {
    byte[] s = new byte[SEED_BYTES];
    random.nextBytes(s);
    return s;
  }

  /** Fills out[off, off+len) with the next pseudo-random longs of the stream. */
  public void fill(long[] out, int off, int len) {
    int done = 0;
    while (done < len) {
      int longs = Math.min(len - done, CHUNK_BYTES / 8);
      int bytes = ((longs * 8 + 15) / 16) * 16; // whole AES blocks
      ByteBuffer cb = ByteBuffer.wrap(counterBlocks).order(ByteOrder.LITTLE_ENDIAN);
      for (int b = 0; b < bytes; b += 16) {
        cb.putLong(b, counter++);
        cb.putLong(b + 8, 0L);
      }
      try {
        aes.update(counterBlocks, 0, bytes, keystream, 0);
      } catch (ShortBufferException e) {
        throw new IllegalStateException(e);
      }
      keystreamLongs.position(0);
      keystreamLongs.get(out, off + done, longs);
      done += longs;
    }
  }

  public long[] next(int len) {
    long[] r = new long[len];
    fill(r, 0, len);
    return r;
  }

  /** Next random bytes (for deriving seeds). */
  public byte[] nextBytes(int n) {
    long[] l = next((n + 7) / 8);
    ByteBuffer b = ByteBuffer.allocate(l.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(l);
    byte[] r = new byte[n];
    b.get(r);
    return r;
  }
}

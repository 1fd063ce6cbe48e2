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
  private final long[] buffered = new long[CHUNK_BYTES / 8];
  private final LongBuffer keystreamLongs =
      ByteBuffer.wrap(keystream).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
  private final ByteBuffer counterView = ByteBuffer.wrap(counterBlocks).order(ByteOrder.LITTLE_ENDIAN);
  private long counter;
  private int position = buffered.length; // next unread long of the buffered keystream

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

  /**
   * Fills out[off, off+len) with the next pseudo-random longs of the stream. The stream does not
   * depend on how it is drawn: fill(3) then fill(5) gives the same longs as fill(8), so two parties
   * holding one seed stay in step however their code splits its draws.
   */
  public void fill(long[] out, int off, int len) {
    int done = 0;
    while (done < len) {
      if (position == buffered.length) refill();
      int take = Math.min(len - done, buffered.length - position);
      System.arraycopy(buffered, position, out, off + done, take);
      position += take;
      done += take;
    }
  }

  /** Encrypts the next CHUNK_BYTES/16 counter blocks into the buffer. */
  private void refill() {
    for (int b = 0; b < CHUNK_BYTES; b += 16) counterView.putLong(b, counter++); // upper 8 bytes stay 0
    try {
      aes.update(counterBlocks, 0, CHUNK_BYTES, keystream, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    keystreamLongs.position(0);
    keystreamLongs.get(buffered, 0, buffered.length);
    position = 0;
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

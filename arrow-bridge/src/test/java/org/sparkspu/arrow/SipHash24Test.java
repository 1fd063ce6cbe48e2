package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SipHash-2-4 against the reference vectors of Aumasson and Bernstein. */
class SipHash24Test {
  static final byte[] KEY = new byte[16];

  static {
    for (int i = 0; i < 16; i++) KEY[i] = (byte) i;
  }

  static byte[] counting(int n) {
    byte[] m = new byte[n];
    for (int i = 0; i < n; i++) m[i] = (byte) i;
    return m;
  }

  @Test
  void matchesThePaperVectors() {
    SipHash24 h = new SipHash24(KEY);
    assertEquals(0x726fdb47dd0e0e31L, h.hash(new byte[0]), "empty message (vectors[0] of the reference code)");
    assertEquals(0xa129ca6149be45e5L, h.hash(counting(15)), "the 15-byte example of the paper, appendix A");
  }

  @Test
  void hashesASliceLikeTheSameBytesAlone() {
    SipHash24 h = new SipHash24(KEY);
    byte[] big = counting(40);
    for (int len = 0; len <= 17; len++) {
      byte[] alone = new byte[len];
      System.arraycopy(big, 5, alone, 0, len);
      assertEquals(h.hash(alone), h.hash(big, 5, len), "length " + len);
    }
  }

  @Test
  void distinctShortKeysGiveDistinctHashes() {
    SipHash24 h = new SipHash24(KEY);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) seen.add(h.hash(Integer.toString(i).getBytes()));
    assertEquals(100_000, seen.size(), "no collision expected at n^2/2^65 ~ 3e-10");
  }

  @Test
  void keyIsSixteenBytesAndNeverPrinted() {
    assertThrows(IllegalArgumentException.class, () -> new SipHash24(new byte[8]));
    assertFalse(new SipHash24(KEY).toString().matches(".*[0-9a-f]{8}.*"));
  }
}

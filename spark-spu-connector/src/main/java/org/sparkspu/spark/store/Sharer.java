package org.sparkspu.spark.store;

import java.security.SecureRandom;
import org.sparkspu.engine.crypto.Prg;

/**
 * Splits plaintext ring tensors into the parties' shares in the layout each protocol's kernels
 * expect of a {@link org.sparkspu.engine.mpc.Share} (see Aby3 and Semi2k input sharing):
 *
 * <ul>
 *   <li>aby3 (3 parties, replicated): x = x_0 + x_1 + x_2 with x_0, x_1 uniformly random; party k
 *       holds the pair (x_k, x_(k+1)) as parts 0 and 1;
 *   <li>semi2k (n parties, additive): x = x_0 + ... + x_(n-1) with x_0..x_(n-2) uniformly random;
 *       party k holds x_k as its only part;
 *   <li>ref2k (no security, for checking only): every party holds x itself.
 * </ul>
 *
 * Randomness comes from the engine's AES-CTR {@link Prg} keyed by a fresh seed from
 * {@link SecureRandom}; one Sharer per writing task. Any n-1 of the additive components (any one
 * replicated pair) are uniformly random and independent of x, so one party's file reveals nothing.
 */
final class Sharer {
  private final String protocol;
  private final int parties;
  private final Prg prg = new Prg(Prg.freshSeed(new SecureRandom()));

  Sharer(String protocol, int parties) {
    this.protocol = protocol;
    this.parties = parties;
    if (protocol.equals("aby3") && parties != 3) throw new IllegalArgumentException("aby3 has 3 parties, got " + parties);
  }

  /** Parts a party holds per tensor. */
  int parts() {
    return ShareFileFormat.partsPerShare(protocol);
  }

  /** The additive components of x (ref2k: x itself, once): [component][row]. */
  long[][] components(long[] x, int rows) {
    if (protocol.equals("ref2k")) return new long[][] {x};
    int n = protocol.equals("aby3") ? 3 : parties;
    long[][] c = new long[n][];
    long[] last = new long[rows];
    System.arraycopy(x, 0, last, 0, rows);
    for (int i = 0; i < n - 1; i++) {
      c[i] = prg.next(rows);
      long[] r = c[i];
      for (int j = 0; j < rows; j++) last[j] -= r[j];
    }
    c[n - 1] = last;
    return c;
  }

  /** Party k's parts of the components, in Share part order. */
  long[][] partyParts(long[][] components, int k) {
    if (protocol.equals("ref2k")) return new long[][] {components[0]};
    if (protocol.equals("aby3")) return new long[][] {components[k], components[(k + 1) % 3]};
    return new long[][] {components[k]};
  }
}

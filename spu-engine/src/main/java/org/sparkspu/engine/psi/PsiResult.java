package org.sparkspu.engine.psi;

/**
 * One party's output of a PSI run: its own rows in the intersection, in the canonical order both
 * parties share, so that the k-th match of one party and the k-th match of the other hold the same
 * key. The order is that of the matches' doubly-blinded tags: pseudo-random, fixed by the session's
 * secrets, independent of either party's row order.
 */
public final class PsiResult {
  private final KeyGroups groups;
  private final int[] keyIndices; // distinct-key index of the k-th match
  private final int peerSize;
  private final boolean peerHasDuplicates;
  private final boolean leader;
  private final Stats stats;

  /**
   * Counters of one run.
   *
   * @param elapsedNanos wall time of the whole run, handshake to result
   * @param ownNanos hashing and blinding this party's keys
   * @param peerNanos blinding the peer's points a second time and hashing them to tags
   * @param matchNanos the leader's look-ups, sort and the result message (zero for the follower)
   * @param waitNanos time blocked waiting for the peer's messages
   * @param bytesSent payload bytes this party sent
   * @param bytesReceived payload bytes this party received
   * @param scalarMults X25519 scalar multiplications this party computed
   * @param messagesSent link messages this party sent
   */
  public record Stats(long elapsedNanos, long ownNanos, long peerNanos, long matchNanos, long waitNanos,
      long bytesSent, long bytesReceived, long scalarMults, long messagesSent) {
    public double seconds() {
      return elapsedNanos / 1e9;
    }
  }

  PsiResult(KeyGroups groups, int[] keyIndices, int peerSize, boolean peerHasDuplicates, boolean leader,
      Stats stats) {
    this.groups = groups;
    this.keyIndices = keyIndices;
    this.peerSize = peerSize;
    this.peerHasDuplicates = peerHasDuplicates;
    this.leader = leader;
    this.stats = stats;
  }

  /** Size of the intersection (of distinct keys); the same for both parties. */
  public int size() {
    return keyIndices.length;
  }

  /**
   * This party's row of each match, aligned with the peer's array: element k is the (first, and
   * without duplicates the only) row holding the k-th matched key.
   */
  public int[] rows() {
    int[] out = new int[keyIndices.length];
    for (int k = 0; k < out.length; k++) out[k] = groups.firstRow(keyIndices[k]);
    return out;
  }

  /** All of this party's rows holding the k-th matched key (one row unless it deduplicated its keys). */
  public int[] rowsOf(int k) {
    return groups.rows(keyIndices[k]);
  }

  /** Index of the k-th matched key in {@link KeyGroups#keys()} of this party's input. */
  public int keyIndex(int k) {
    return keyIndices[k];
  }

  /** This party's distinct non-null keys, as the peer learned it. */
  public int ownSize() {
    return groups.size();
  }

  /** The peer's number of distinct non-null keys. */
  public int peerSize() {
    return peerSize;
  }

  public boolean ownHasDuplicates() {
    return groups.hasDuplicates();
  }

  /** Whether the peer's rows had duplicate keys (it ran on deduplicated {@link KeyGroups}). */
  public boolean peerHasDuplicates() {
    return peerHasDuplicates;
  }

  /** True for the party that matched (the lower endpoint id); false for the other. */
  public boolean leader() {
    return leader;
  }

  public Stats stats() {
    return stats;
  }

  KeyGroups groups() {
    return groups;
  }

  @Override
  public String toString() {
    return "PsiResult[" + (leader ? "leader" : "follower") + ", intersection " + size() + " of " + ownSize()
        + " own / " + peerSize + " peer keys, " + stats + "]";
  }
}

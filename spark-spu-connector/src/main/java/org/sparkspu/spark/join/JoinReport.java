package org.sparkspu.spark.join;

/**
 * What one secure join did, for profiles and benchmarks. Every figure here is public to the
 * parties of the join (sizes are part of PSI's documented leakage).
 *
 * @param path the share store of the joined (secret, vertical) table
 * @param leftKeyOwner the party whose keys stood for the left side in PSI
 * @param rightKeyOwner the same for the right side
 * @param leftRows rows of the left side (nulls included)
 * @param rightRows rows of the right side
 * @param leftKeys distinct non-null keys of the left side (what the right key owner learned)
 * @param rightKeys distinct non-null keys of the right side
 * @param intersection matched distinct keys
 * @param rows rows of the joined table
 * @param psiSeconds wall time of the MPC session that ran PSI and the row alignment
 * @param psiBytes bytes the two key owners sent in PSI, together
 * @param writeSeconds wall time of aligning every owner's rows and secret-sharing them into the store
 * @param where where the PSI session ran (local threads or executors)
 */
public record JoinReport(String path, int leftKeyOwner, int rightKeyOwner, long leftRows, long rightRows, long leftKeys,
    long rightKeys, long intersection, long rows, double psiSeconds, long psiBytes, double writeSeconds, String where) {

  public double totalSeconds() {
    return psiSeconds + writeSeconds;
  }
}

package org.sparkspu.spark.runtime;

import java.util.List;
import org.sparkspu.engine.runtime.Profile;

/**
 * The outputs of one MPC session, one per party (index = party), and its profile merged over the
 * parties (rounds on the critical path, bytes per party) with the wall time of the session.
 *
 * @param criticalPathRounds communication rounds of the whole session on its critical path: the
 *     largest link depth (Lamport depth of the longest chain of dependent messages) over the parties
 * @param where where the party engines ran, e.g. "local threads (netty)" or "executors (party 0:
 *     executor 1 on host-a, ...)"
 */
public record MpcRun<O>(List<O> outputs, Profile profile, long[] bytesSentPerParty, double seconds, String where,
    int criticalPathRounds) {

  /** Without a measured link depth: the critical-path rounds are estimated as the profile's total rounds. */
  public MpcRun(List<O> outputs, Profile profile, long[] bytesSentPerParty, double seconds, String where) {
    this(outputs, profile, bytesSentPerParty, seconds, where, (int) Math.min(Integer.MAX_VALUE, profile.total().rounds()));
  }

  public O output(int party) {
    return outputs.get(party);
  }
}

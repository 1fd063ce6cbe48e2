package org.sparkspu.spark.runtime;

import java.util.List;
import org.sparkspu.engine.runtime.Profile;

/**
 * The outputs of one MPC session, one per party (index = party), and its profile merged over the
 * parties (rounds on the critical path, bytes per party) with the wall time of the session.
 */
public record MpcRun<O>(List<O> outputs, Profile profile, long[] bytesSentPerParty, double seconds, String where) {
  public O output(int party) {
    return outputs.get(party);
  }
}

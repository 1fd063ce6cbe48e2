package org.sparkspu.spark.runtime;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparkspu.engine.link.LinkStats;
import org.sparkspu.engine.runtime.Profile;

/**
 * One kernel's totals of a party's {@link Profile}, in a form that travels from a task to the
 * driver (Profile itself is not serializable). {@link #rebuild} replays the totals into a Profile
 * as one call carrying them and calls-1 empty calls, so calls, elements, bytes and time are exact;
 * merging such profiles over the parties takes, per kernel, the largest party total of rounds
 * (the engine's own merge takes the maximum call by call, summed; both agree when the parties'
 * rounds per call agree, as they do for symmetric kernels).
 */
record ProfileData(String kernel, long calls, long elements, long rounds, long bytesSent, long bytesReceived,
    long offlineBytes, long nanos) implements Serializable {

  private static final LinkStats.Snapshot ZERO = new LinkStats.Snapshot(0, 0, 0, 0, 0, 0, 0);

  static List<ProfileData> of(Profile p) {
    List<ProfileData> out = new ArrayList<>();
    for (Profile.Entry e : p.entries()) {
      out.add(new ProfileData(e.kernel(), e.calls(), e.elements(), e.rounds(), e.bytesSent(), e.bytesReceived(),
          e.offlineBytes(), e.nanos()));
    }
    return out;
  }

  static Profile rebuild(List<ProfileData> entries) {
    Profile p = new Profile();
    for (ProfileData d : entries) {
      LinkStats.Snapshot after = new LinkStats.Snapshot(0, (int) Math.min(Integer.MAX_VALUE, d.rounds), d.bytesSent,
          d.bytesReceived, d.offlineBytes, 0, 0);
      p.kernelDone(d.kernel, d.elements, ZERO, after, d.nanos);
      for (long c = 1; c < d.calls; c++) p.kernelDone(d.kernel, 0, ZERO, ZERO, 0);
    }
    return p;
  }
}

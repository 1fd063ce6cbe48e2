package org.sparkspu.engine.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.engine.link.LinkStats;
import org.sparkspu.engine.mpc.KernelObserver;

/**
 * What actually ran: per kernel, calls, elements, communication rounds (the longest chain of
 * dependent messages within the kernel), online bytes sent and received, offline (dealer) bytes, and wall time. One
 * Profile per party; {@link #merge} combines the parties' views: bytes add up, time takes the
 * maximum, and rounds take the maximum over parties call by call (all parties run the same calls
 * in the same order), summed over calls — so two one-way calls with different receivers count two
 * rounds, not one.
 */
public final class Profile implements KernelObserver {
  /** One kernel's totals. */
  public record Entry(String kernel, long calls, long elements, long rounds, long bytesSent, long bytesReceived,
      long offlineBytes, long nanos) {
    Entry plus(Entry o) {
      return new Entry(kernel, calls + o.calls, elements + o.elements, rounds + o.rounds, bytesSent + o.bytesSent,
          bytesReceived + o.bytesReceived, offlineBytes + o.offlineBytes, nanos + o.nanos);
    }

    Entry acrossParties(Entry o) {
      return new Entry(kernel, Math.max(calls, o.calls), Math.max(elements, o.elements), Math.max(rounds, o.rounds),
          bytesSent + o.bytesSent, bytesReceived + o.bytesReceived, offlineBytes + o.offlineBytes,
          Math.max(nanos, o.nanos));
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  /** Rounds of each call, per kernel, in call order (for merging parties call by call). */
  private final Map<String, List<Integer>> callRounds = new LinkedHashMap<>();

  @Override
  public synchronized void kernelDone(String kernel, long elements, LinkStats.Snapshot before,
      LinkStats.Snapshot after, long nanos) {
    Entry e = new Entry(kernel, 1, elements, after.kernelDepth(), after.bytesSent() - before.bytesSent(),
        after.bytesReceived() - before.bytesReceived(), after.offlineBytesSent() - before.offlineBytesSent()
            + after.offlineBytesReceived() - before.offlineBytesReceived(), nanos);
    entries.merge(kernel, e, Entry::plus);
    callRounds.computeIfAbsent(kernel, k -> new ArrayList<>()).add(after.kernelDepth());
  }

  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }

  public synchronized Entry entry(String kernel) {
    return entries.get(kernel);
  }

  public synchronized void clear() {
    entries.clear();
    callRounds.clear();
  }

  public synchronized Entry total() {
    Entry t = new Entry("total", 0, 0, 0, 0, 0, 0, 0);
    for (Entry e : entries.values()) t = t.plus(e);
    return new Entry("total", t.calls, t.elements, t.rounds, t.bytesSent, t.bytesReceived, t.offlineBytes, t.nanos);
  }

  /** The parties' profiles combined (see the class comment). */
  public static Profile merge(Collection<Profile> parties) {
    Profile m = new Profile();
    for (Profile p : parties) {
      synchronized (p) {
        for (Entry e : p.entries.values()) m.entries.merge(e.kernel(), e, Entry::acrossParties);
        p.callRounds.forEach((kernel, rounds) -> {
          List<Integer> acc = m.callRounds.computeIfAbsent(kernel, k -> new ArrayList<>());
          for (int i = 0; i < rounds.size(); i++) {
            if (i < acc.size()) acc.set(i, Math.max(acc.get(i), rounds.get(i)));
            else acc.add(rounds.get(i));
          }
        });
      }
    }
    m.callRounds.forEach((kernel, rounds) -> {
      long total = 0;
      for (int r : rounds) total += r;
      Entry e = m.entries.get(kernel);
      m.entries.put(kernel, new Entry(kernel, e.calls(), e.elements(), total, e.bytesSent(), e.bytesReceived(),
          e.offlineBytes(), e.nanos()));
    });
    return m;
  }

  /** A fixed-width table, one row per kernel and a total. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-10s %8s %12s %7s %14s %14s %12s %10s%n", "kernel", "calls", "elements", "rounds",
        "bytes sent", "bytes recv", "offline B", "ms"));
    List<Entry> rows = entries();
    rows.add(total());
    for (Entry e : rows) {
      sb.append(String.format("%-10s %8d %12d %7d %14d %14d %12d %10.2f%n", e.kernel(), e.calls(), e.elements(),
          e.rounds(), e.bytesSent(), e.bytesReceived(), e.offlineBytes(), e.nanos() / 1e6));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return table();
  }
}

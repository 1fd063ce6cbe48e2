package org.sparkspu.spark.runtime;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The driver's side of {@link Rendezvous}: per session, the addresses published so far. A session
 * is forgotten once every party has read the complete table, or after {@link #EXPIRY_MS} (a session
 * whose tasks died). Holds addresses only, never data.
 */
public final class RendezvousTable {
  static final long EXPIRY_MS = 10 * 60_000;

  private static final class Entry {
    final String[] addresses;
    final boolean[] readComplete;
    final long createdMs = System.currentTimeMillis();

    Entry(int parties) {
      addresses = new String[parties];
      readComplete = new boolean[parties];
    }
  }

  private final Map<String, Entry> sessions = new HashMap<>();

  /**
   * Records party {@code party}'s address and returns a copy of what is known (null where a party
   * has not published yet).
   */
  public synchronized String[] post(String sessionId, int party, int parties, String address) {
    if (party < 0 || party >= parties) throw new IllegalArgumentException("party " + party + " of " + parties);
    sweep();
    Entry e = sessions.computeIfAbsent(sessionId, k -> new Entry(parties));
    if (e.addresses.length != parties) {
      throw new IllegalArgumentException("session " + sessionId + " has " + e.addresses.length + " parties, not " + parties);
    }
    e.addresses[party] = address;
    String[] copy = Arrays.copyOf(e.addresses, parties);
    if (Arrays.stream(copy).allMatch(a -> a != null)) {
      e.readComplete[party] = true;
      boolean allRead = true;
      for (boolean r : e.readComplete) allRead &= r;
      if (allRead) sessions.remove(sessionId);
    }
    return copy;
  }

  public synchronized int openSessions() {
    return sessions.size();
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Iterator<Entry> it = sessions.values().iterator(); it.hasNext();) {
      if (now - it.next().createdMs > EXPIRY_MS) it.remove();
    }
  }
}

package org.sparkspu.spark.runtime;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The driver's table of executor endpoints: which executor hosts which party slot. Executors
 * register when their plugin starts ({@link #register}); slot k &lt; parties hosts party k's engine
 * in executor mode (party k's barrier task prefers that executor), higher slots are spare and take
 * over a slot freed when its executor is removed. The table holds addresses only, never data.
 */
public final class PartyTable {
  /** One registered executor endpoint. */
  public record Endpoint(int slot, String executorId, String host, String ports) implements Serializable {
    /** Spark's task location string for this executor ("executor_HOST_ID"), for locality preferences. */
    public String taskLocation() {
      return "executor_" + host + "_" + executorId;
    }
  }

  private static volatile PartyTable installed;

  private final TreeMap<Integer, Endpoint> bySlot = new TreeMap<>();

  /**
   * Registers (or re-registers) an executor's endpoint and returns its slot: its old slot when it
   * registered before, else the lowest free one.
   */
  public synchronized int register(String executorId, String host, String ports) {
    for (Endpoint e : bySlot.values()) {
      if (e.executorId().equals(executorId)) {
        bySlot.put(e.slot(), new Endpoint(e.slot(), executorId, host, ports));
        return e.slot();
      }
    }
    int slot = 0;
    while (bySlot.containsKey(slot)) slot++;
    bySlot.put(slot, new Endpoint(slot, executorId, host, ports));
    return slot;
  }

  /** Forgets an executor (it was removed); its slot is free for the next one to register. */
  public synchronized void remove(String executorId) {
    bySlot.values().removeIf(e -> e.executorId().equals(executorId));
  }

  public synchronized List<Endpoint> endpoints() {
    return new ArrayList<>(bySlot.values());
  }

  public synchronized Optional<Endpoint> slot(int k) {
    return Optional.ofNullable(bySlot.get(k));
  }

  public synchronized int size() {
    return bySlot.size();
  }

  /**
   * Task locations for parties 0..parties-1 when every one of them has a registered executor among
   * {@code liveExecutors} and they are all distinct, else empty (no preference).
   */
  public synchronized Optional<List<String>> partyLocations(int parties, Collection<String> liveExecutors) {
    List<String> out = new ArrayList<>();
    for (int k = 0; k < parties; k++) {
      Endpoint e = bySlot.get(k);
      if (e == null || !liveExecutors.contains(e.executorId())) return Optional.empty();
      out.add(e.taskLocation());
    }
    return Optional.of(out);
  }

  /** Makes {@code t} the driver's table (the driver plugin calls this at start). */
  public static void install(PartyTable t) {
    installed = t;
  }

  public static void uninstall(PartyTable t) {
    if (installed == t) installed = null;
  }

  /** The driver's table, when the plugin is on. */
  public static Optional<PartyTable> current() {
    return Optional.ofNullable(installed);
  }
}

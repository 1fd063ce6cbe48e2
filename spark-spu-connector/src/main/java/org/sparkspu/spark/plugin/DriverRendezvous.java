package org.sparkspu.spark.plugin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.spark.api.plugin.PluginContext;
import org.sparkspu.spark.runtime.Rendezvous;

/**
 * The executors' {@link Rendezvous} through the driver plugin: post the address, then poll the
 * driver (backing off from 2 to 50 ms) until every party has posted or the timeout passes.
 */
final class DriverRendezvous implements Rendezvous {
  private final PluginContext ctx;

  DriverRendezvous(PluginContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String[] exchange(String sessionId, int party, int parties, String address, Duration timeout,
      BooleanSupplier cancelled) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long backoffMs = 2;
    while (true) {
      String[] known;
      try {
        known = (String[]) ctx.ask(new RendezvousPost(sessionId, party, parties, address));
      } catch (Exception e) {
        throw new IllegalStateException("could not reach the driver to exchange addresses: " + e, e);
      }
      List<Integer> missing = new ArrayList<>();
      for (int p = 0; p < parties; p++) if (known[p] == null) missing.add(p);
      if (missing.isEmpty()) return known;
      if (cancelled.getAsBoolean()) throw new IllegalStateException("task killed while waiting for parties " + missing);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("parties " + missing + " did not publish their endpoints within "
            + timeout.toMillis() + " ms (spark.spu.timeout)");
      }
      try {
        Thread.sleep(backoffMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for parties " + missing, e);
      }
      backoffMs = Math.min(50, backoffMs * 2);
    }
  }
}

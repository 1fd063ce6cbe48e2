package org.sparkspu.spark.runtime;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How the party tasks of one MPC session learn each other's listening addresses. The fallback is
 * Spark's {@code BarrierTaskContext.allGather}, which polls its result once a second, so it adds
 * about a second to every session; with the plugin the executors post to and poll the driver's
 * {@link RendezvousTable} instead (a few milliseconds), bounded by spark.spu.timeout.
 */
public interface Rendezvous {
  /**
   * Publishes {@code address} ("host:port", or "failed") as party {@code party}'s and returns all
   * parties' addresses in party order once every party has published.
   *
   * @param cancelled checked while waiting: true when the task is being killed
   * @throws IllegalStateException naming the missing parties when they have not all published within {@code timeout}
   */
  String[] exchange(String sessionId, int party, int parties, String address, Duration timeout, BooleanSupplier cancelled);
}

package org.sparkspu.spark.plugin;

import java.io.Serializable;

/**
 * Executor to driver (through {@code PluginContext.ask}): party {@code party} of session
 * {@code sessionId} listens on {@code address}; the driver answers with the String[] of the
 * addresses known so far (null for parties not yet published).
 */
public record RendezvousPost(String sessionId, int party, int parties, String address) implements Serializable {}

package org.sparkspu.spark.plugin;

import java.io.Serializable;

/**
 * Executor to driver (through {@code PluginContext.ask}): "executor {@code executorId} runs an
 * engine endpoint service on {@code host} with ports {@code ports}"; the driver answers with the
 * executor's party slot (an Integer).
 */
public record RegisterEndpoint(String executorId, String host, String ports) implements Serializable {}

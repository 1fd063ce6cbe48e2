package org.sparkspu.spark.plugin;

import java.util.Map;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkspu.engine.link.NettyOptions;
import org.sparkspu.spark.runtime.EndpointService;

/**
 * The executor side of {@link org.sparkspu.spark.SpuPlugin}: starts this executor's embedded engine
 * {@link EndpointService}, installs it for the MPC tasks that run here and registers it with the
 * driver; shutdown closes it (ending sessions still running here).
 */
public final class SpuExecutorPlugin implements ExecutorPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(SpuExecutorPlugin.class);

  private EndpointService service;

  @Override
  public void init(PluginContext ctx, Map<String, String> extraConf) {
    String ports = ctx.conf().get(EndpointService.PORTS_KEY, extraConf.getOrDefault(EndpointService.PORTS_KEY, "0"));
    service = new EndpointService(ctx.executorID(), ctx.hostname(), ports, NettyOptions.plain());
    service.setRendezvous(new DriverRendezvous(ctx));
    EndpointService.install(service);
    try {
      Object slot = ctx.ask(new RegisterEndpoint(ctx.executorID(), ctx.hostname(), service.ports()));
      service.assignSlot((Integer) slot);
      LOG.info("spark-spu: executor {} endpoint service on {} registered, slot {}", ctx.executorID(), ctx.hostname(), slot);
    } catch (Exception e) {
      // The executor still serves MPC tasks; it only gets no locality preference.
      LOG.warn("spark-spu: executor {} could not register its endpoint with the driver: {}", ctx.executorID(), e.toString());
    }
  }

  @Override
  public void shutdown() {
    if (service != null) {
      EndpointService.uninstall(service);
      service.close();
    }
  }
}

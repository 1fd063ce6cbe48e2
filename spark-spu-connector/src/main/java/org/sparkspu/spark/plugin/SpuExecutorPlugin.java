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
    // Never throws: an exception here would make Spark refuse the executor. Without a service the
    // executor still runs MPC tasks (they bind directly), only without the driver's rendezvous.
    try {
      String ports = ctx.conf().get(EndpointService.PORTS_KEY, extraConf.getOrDefault(EndpointService.PORTS_KEY, "0"));
      String host = host(ctx);
      service = new EndpointService(ctx.executorID(), host, ports, NettyOptions.plain());
      service.setRendezvous(new DriverRendezvous(ctx));
      EndpointService.install(service);
      Object slot = ctx.ask(new RegisterEndpoint(ctx.executorID(), host, service.ports()));
      service.assignSlot((Integer) slot);
      LOG.info("spark-spu: executor {} endpoint service on {} registered, slot {}", ctx.executorID(), host, slot);
    } catch (Exception e) {
      LOG.warn("spark-spu: executor {} could not start or register its engine endpoint service: {}", ctx.executorID(),
          e.toString());
    }
  }

  private static String host(PluginContext ctx) {
    String h = null;
    try {
      h = SparkInternals.executorHost();
    } catch (RuntimeException e) {
      // fall through
    }
    if (h == null) {
      try {
        h = ctx.hostname(); // works on the driver's local executor only
      } catch (RuntimeException e) {
        // fall through
      }
    }
    if (h == null) {
      try {
        h = java.net.InetAddress.getLocalHost().getHostAddress();
      } catch (java.net.UnknownHostException e) {
        h = "127.0.0.1";
      }
    }
    return h;
  }

  @Override
  public void shutdown() {
    if (service != null) {
      EndpointService.uninstall(service);
      service.close();
    }
  }
}

package org.sparkspu.spark.plugin;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkspu.spark.SpuPlugin;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.runtime.EndpointService;
import org.sparkspu.spark.runtime.PartyTable;
import org.sparkspu.spark.runtime.RendezvousTable;

/**
 * The driver side of {@link SpuPlugin}: validates spark.spu.*, registers the SQL extensions and the
 * "spu" catalog, keeps the {@link PartyTable} of executor endpoints.
 */
public final class SpuDriverPlugin implements DriverPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(SpuDriverPlugin.class);

  private PartyTable table;
  private final RendezvousTable rendezvous = new RendezvousTable();
  private SpuConf conf;

  @Override
  public Map<String, String> init(SparkContext sc, PluginContext ctx) {
    SparkConf live = SparkInternals.liveConf(sc);
    String ports = live.get(EndpointService.PORTS_KEY, "0");
    try {
      conf = SpuConf.from(k -> live.get(k, null));
      EndpointService.parsePorts(ports);
    } catch (IllegalArgumentException e) {
      // Thrown from the SparkContext constructor: the application does not start with a bad setting.
      throw new IllegalArgumentException("spark-spu: invalid configuration: " + e.getMessage(), e);
    }
    registerSql(live, sc);
    table = new PartyTable();
    PartyTable.install(table);
    PartyTable t = table;
    sc.addSparkListener(new SparkListener() {
      @Override
      public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        t.remove(removed.executorId());
      }
    });
    LOG.info("spark-spu plugin on: {} with {} parties, runtime {}, link {}", conf.protocol(), conf.parties(), conf.runtime(),
        conf.link());
    Map<String, String> forExecutors = new LinkedHashMap<>();
    forExecutors.put(EndpointService.PORTS_KEY, ports);
    forExecutors.put(SpuConf.PREFIX + "protocol", conf.protocol());
    forExecutors.put(SpuConf.PREFIX + "parties", Integer.toString(conf.parties()));
    return forExecutors;
  }

  /** Appends the SQL extensions and sets the "spu" catalog, unless the user did. */
  static void registerSql(SparkConf live, SparkContext sc) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) loader = SpuDriverPlugin.class.getClassLoader();
    registerSql(live, SpuPlugin.EXTENSIONS_CLASS, SpuPlugin.CATALOG_CLASS, loader);
  }

  /**
   * Appends {@code extensions} to spark.sql.extensions (unless listed) and sets spark.sql.catalog.spu
   * to {@code catalog} (unless set), each only when its class is on the classpath: a missing class
   * would otherwise fail or warn in every SparkSession.
   */
  static void registerSql(SparkConf live, String extensions, String catalog, ClassLoader loader) {
    if (loadable(extensions, loader)) {
      String ext = live.get("spark.sql.extensions", "").trim();
      boolean present = false;
      for (String c : ext.split(",")) present |= c.trim().equals(extensions);
      if (!present) live.set("spark.sql.extensions", ext.isEmpty() ? extensions : ext + "," + extensions);
    } else {
      LOG.warn("spark-spu: {} is not on the classpath: secure SQL functions are not registered", extensions);
    }
    if (!live.contains(SpuPlugin.CATALOG_KEY)) {
      if (loadable(catalog, loader)) live.set(SpuPlugin.CATALOG_KEY, catalog);
      else LOG.warn("spark-spu: {} is not on the classpath: catalog 'spu' is not registered", catalog);
    }
  }

  private static boolean loadable(String cls, ClassLoader loader) {
    try {
      Class.forName(cls, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public Object receive(Object message) {
    if (message instanceof RendezvousPost) {
      RendezvousPost r = (RendezvousPost) message;
      return rendezvous.post(r.sessionId(), r.party(), r.parties(), r.address());
    }
    if (message instanceof RegisterEndpoint) {
      RegisterEndpoint r = (RegisterEndpoint) message;
      int slot = table.register(r.executorId(), r.host(), r.ports());
      LOG.info("spark-spu: executor {} on {} registered its engine endpoint (ports {}): slot {}{}", r.executorId(), r.host(),
          r.ports(), slot, slot < conf.parties() ? " (party " + slot + ")" : " (spare)");
      return slot;
    }
    throw new IllegalArgumentException("spark-spu driver plugin: unexpected message " + message.getClass().getName());
  }

  @Override
  public void shutdown() {
    if (table != null) PartyTable.uninstall(table);
  }

  /** The validated settings read at SparkContext start. */
  public SpuConf conf() {
    return conf;
  }
}

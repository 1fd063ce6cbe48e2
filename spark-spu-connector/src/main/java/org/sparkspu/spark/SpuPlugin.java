package org.sparkspu.spark;

import java.util.Optional;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plugin.SpuDriverPlugin;
import org.sparkspu.spark.plugin.SpuExecutorPlugin;
import org.sparkspu.spark.runtime.EndpointService;
import org.sparkspu.spark.runtime.PartyTable;

/**
 * spark-spu as a Spark plugin: {@code spark.plugins=org.sparkspu.spark.SpuPlugin} is the only
 * setting users need (the embedded default: 3 parties under aby3).
 *
 * <p>Driver: reads and validates spark.spu.* ({@link SpuConf}; an invalid value fails the
 * SparkContext start with a message naming the key), appends the SQL extensions
 * ({@value #EXTENSIONS_CLASS}) to spark.sql.extensions and sets {@value #CATALOG_KEY} (unless set),
 * and keeps the {@link PartyTable}: which executor hosts which party's engine endpoint.
 *
 * <p>Executors: each starts an embedded engine {@link EndpointService} (binds the Netty listeners
 * of the MPC sessions that run on it, on the executor's host, ports from spark.spu.endpoint.ports)
 * and registers it with the driver, which answers with the executor's party slot.
 */
public final class SpuPlugin implements SparkPlugin {
  public static final String EXTENSIONS_CLASS = "org.sparkspu.spark.sql.SpuExtensions";
  public static final String CATALOG_CLASS = "org.sparkspu.spark.sql.SpuCatalog";
  public static final String CATALOG_KEY = "spark.sql.catalog.spu";

  @Override
  public DriverPlugin driverPlugin() {
    return new SpuDriverPlugin();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new SpuExecutorPlugin();
  }

  /**
   * The spark.spu.* settings of {@code spark}'s session (values set with spark.conf().set(...) win
   * over the application's); defaults for absent keys, so it works without the plugin too.
   *
   * @throws IllegalArgumentException naming the key of an invalid value
   */
  public static SpuConf conf(SparkSession spark) {
    return org.sparkspu.spark.sql.SpuSettings.conf(spark);
  }

  /** The driver's table of executor endpoints, when the plugin runs in this (driver) JVM. */
  public static Optional<PartyTable> partyTable() {
    return PartyTable.current();
  }

  /** This executor's endpoint service, when the plugin runs in this (executor) JVM. */
  public static Optional<EndpointService> endpointService() {
    return EndpointService.current();
  }
}

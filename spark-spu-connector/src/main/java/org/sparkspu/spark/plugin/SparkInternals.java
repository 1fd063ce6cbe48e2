package org.sparkspu.spark.plugin;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;

/**
 * The one place spark-spu's plugin touches Spark internals: the SparkContext's live configuration
 * ({@code SparkContext.conf} is private[spark] in Scala, public in bytecode; {@code getConf} returns
 * a copy) and the executor's advertised host (the block manager's id). The driver plugin writes spark.sql.extensions and spark.sql.catalog.spu there while the
 * SparkContext starts, before any SparkSession reads them.
 */
final class SparkInternals {
  private SparkInternals() {}

  static SparkConf liveConf(SparkContext sc) {
    return sc.conf();
  }

  /**
   * The host this executor advertises (its block manager's). {@code PluginContext.hostname()} cannot
   * be used on executors: it reads the RPC env's address, which executors (client-mode RPC) lack.
   */
  static String executorHost() {
    SparkEnv env = SparkEnv.get();
    return env == null ? null : env.blockManager().blockManagerId().host();
  }
}

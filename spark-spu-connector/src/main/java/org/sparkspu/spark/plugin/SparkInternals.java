package org.sparkspu.spark.plugin;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

/**
 * The one place spark-spu's plugin touches Spark internals: the SparkContext's live configuration
 * ({@code SparkContext.conf} is private[spark] in Scala, public in bytecode; {@code getConf} returns
 * a copy). The driver plugin writes spark.sql.extensions and spark.sql.catalog.spu there while the
 * SparkContext starts, before any SparkSession reads them.
 */
final class SparkInternals {
  private SparkInternals() {}

  static SparkConf liveConf(SparkContext sc) {
    return sc.conf();
  }
}

package org.sparkspu.spark.store;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.plan.SpuConf;

/**
 * A secret table at rest: for each party k, a folder {@code <path>/party-<k>} holding only party k's
 * shares of every row, with the party binding and an integrity digest in every file.
 */
public final class ShareStore {
  private ShareStore() {}

  /**
   * Secret-shares {@code df}, owned by {@code party}, into the store at {@code path} (appending to the
   * rows other owners wrote, same schema). Options: "publicDomain" = comma-separated columns whose
   * distinct values become public metadata (needed to GROUP BY them); "mode" = append|overwrite.
   */
  public static void write(SparkSession spark, Dataset<Row> df, int party, String path, SpuConf conf, Map<String, String> options) {
    throw new UnsupportedOperationException("ShareStore is being built");
  }
}

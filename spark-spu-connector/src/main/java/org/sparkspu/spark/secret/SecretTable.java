package org.sparkspu.spark.secret;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;

/** The "secret" layout: a share store read by every party, filters and aggregates row by row in MPC. */
public final class SecretTable implements SecureTable {
  private SecretTable() {}

  /** Opens the store at {@code path} (reads and checks each party's metadata; no rows). */
  public static SecretTable open(SparkSession spark, String path, SpuConf conf) {
    throw new UnsupportedOperationException("SecretTable is being built");
  }

  @Override public StructType schema() { throw new UnsupportedOperationException(); }
  @Override public String layout() { return "secret"; }
  @Override public String describe() { throw new UnsupportedOperationException(); }
  @Override public void validate(SecureQuery query) { throw new UnsupportedOperationException(); }
  @Override public QueryResult execute(SparkSession spark, SpuConf conf, SecureQuery query, int[] receivers) { throw new UnsupportedOperationException(); }
  @Override public String explain(SparkSession spark, SpuConf conf, SecureQuery query) { throw new UnsupportedOperationException(); }
}

package org.sparkspu.spark.horizontal;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;

/**
 * The "horizontal" layout: party p holds {@code partyTables.get(p)}, all with the same schema. Each
 * party filters and pre-aggregates its own rows in plaintext; only the partials enter MPC.
 */
public final class HorizontalTable implements SecureTable {
  public HorizontalTable(String name, List<Dataset<Row>> partyTables) {
    throw new UnsupportedOperationException("HorizontalTable is being built");
  }

  @Override public StructType schema() { throw new UnsupportedOperationException(); }
  @Override public String layout() { return "horizontal"; }
  @Override public String describe() { throw new UnsupportedOperationException(); }
  @Override public void validate(SecureQuery query) { throw new UnsupportedOperationException(); }
  @Override public QueryResult execute(SparkSession spark, SpuConf conf, SecureQuery query, int[] receivers) { throw new UnsupportedOperationException(); }
  @Override public String explain(SparkSession spark, SpuConf conf, SecureQuery query) { throw new UnsupportedOperationException(); }
}

package org.sparkspu.spark.sql;

import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.sparkspu.spark.exec.SecureTable;

/** A {@link SecureTable} as a Spark connector table: readable only through pushed-down secure queries. */
final class SpuTable implements SupportsRead {
  private final SecureTable table;

  SpuTable(SecureTable table) {
    this.table = table;
  }

  SecureTable secureTable() {
    return table;
  }

  @Override
  public String name() {
    return "spu " + table.layout() + " " + table.describe();
  }

  @Override
  public StructType schema() {
    return table.schema();
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    return new SpuScanBuilder(table, SparkSession.active(), options);
  }
}

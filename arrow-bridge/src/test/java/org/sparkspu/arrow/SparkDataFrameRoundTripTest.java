package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real local SparkSession: DataFrames through the bridge on the executors (ring tensors) and
 * back into a DataFrame equal to the input; errors surface from tasks with column and row; the
 * bridge's root allocator holds nothing once a job is over.
 */
class SparkDataFrameRoundTripTest {
  static final int F = 18;
  static final byte[] HASH_KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[2]").appName("arrow-bridge-test")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) spark.stop();
  }

  @AfterEach
  void bridgeAllocatorHoldsNothing() {
    assertEquals(0, BridgeAllocators.root().getAllocatedMemory(), BridgeAllocators.root().toVerboseString());
  }

  /** 10 columns of mixed types with nulls and negatives, 3 partitions. */
  static Dataset<Row> mixed(long rows) {
    return spark.range(0, rows, 1, 3).selectExpr(
        "id",
        "cast(id % 256 - 128 as tinyint) as b",
        "CASE WHEN id % 7 = 0 THEN NULL ELSE cast(id * 3 - 7000 as smallint) END as s",
        "cast(id * 100003 - 250000000 as int) as i",
        "CASE WHEN id % 11 = 0 THEN NULL ELSE (id - 2500) / 1024.0D END as d",
        "CASE WHEN id % 13 = 0 THEN NULL ELSE cast((id - 2500) * 1.01 as decimal(12, 2)) END as dec",
        "CASE WHEN id % 17 = 0 THEN NULL ELSE id % 3 = 0 END as ok",
        "date_add(date'1970-01-01', cast(id - 2500 as int)) as day",
        "CASE WHEN id % 19 = 0 THEN NULL ELSE timestamp_micros(id * 123456789 - 300000000000) END as ts",
        "CASE WHEN id % 5 = 0 THEN NULL ELSE concat('name-', id, '-é') END as name");
  }

  @Test
  void tenMixedColumnsGoThroughTheBridgeAndBackUnchanged() {
    Dataset<Row> df = mixed(5000);
    assertEquals(10, df.columns().length);
    SecretTableSchema schema = SecretTableSchema.fromSpark(df.schema(), 0, F, Set.of("name"));
    BridgeConfig cfg = DataFrameBridge.config(spark).withBatchRows(700);
    JavaRDD<EncodedBatch> encoded = DataFrameBridge.mapEncodedPartitions(df, schema, cfg, HASH_KEY, (p, batches) -> batches);
    Dataset<Row> back = DataFrameBridge.toDataFrame(spark, schema, cfg, encoded);

    assertEquals(df.schema(), back.schema());
    List<Row> expected = df.collectAsList();
    List<Row> actual = back.collectAsList();
    assertEquals(5000, actual.size());
    for (int r = 0; r < expected.size(); r++) assertEquals(expected.get(r), actual.get(r), "row " + r);
  }

  @Test
  void executorsEncodeStreamedBatchesOfTheConfiguredSize() {
    Dataset<Row> df = mixed(5000);
    SecretTableSchema schema = SecretTableSchema.fromSpark(df.schema(), 0, F, Set.of("name"));
    BridgeConfig cfg = DataFrameBridge.config(spark).withBatchRows(700);
    List<long[]> perPartition = DataFrameBridge.mapEncodedPartitions(df, schema, cfg, HASH_KEY, (p, batches) -> {
      long rows = 0, batchCount = 0, maxRows = 0, idSum = 0;
      while (batches.hasNext()) {
        EncodedBatch b = batches.next();
        batchCount++;
        rows += b.rowCount();
        maxRows = Math.max(maxRows, b.rowCount());
        idSum += b.column("id").values().sum();
      }
      return List.of(new long[] {p, rows, batchCount, maxRows, idSum}).iterator();
    }).collect();
    assertEquals(3, perPartition.size());
    long rows = 0, idSum = 0;
    for (long[] p : perPartition) {
      rows += p[1];
      idSum += p[4];
      assertEquals((p[1] + 699) / 700, p[2], "partition " + p[0] + " streamed in batches of 700");
      assertTrue(p[3] <= 700);
    }
    assertEquals(5000, rows);
    assertEquals(4999L * 5000 / 2, idSum, "ring sum of an integer column is the exact integer sum");
  }

  @Test
  void hashedKeysAreTheSameOnEveryExecutorAndRevealAsBigint() {
    Dataset<Row> df = spark.range(0, 600, 1, 4).selectExpr("id", "concat('user-', id % 50) as k");
    SecretTableSchema schema = SecretTableSchema.fromSpark(df.schema(), 1, F);
    BridgeConfig cfg = DataFrameBridge.config(spark).withBatchRows(64);
    Dataset<Row> back = DataFrameBridge.toDataFrame(spark, schema, cfg,
        DataFrameBridge.mapEncodedPartitions(df, schema, cfg, HASH_KEY, (p, batches) -> batches));
    assertEquals(DataTypes.LongType, back.schema().apply("k").dataType());
    SipHash24 h = new SipHash24(HASH_KEY);
    for (Row r : back.collectAsList()) {
      assertEquals(h.hash(("user-" + r.getLong(0) % 50).getBytes(StandardCharsets.UTF_8)), r.getLong(1));
    }
  }

  @Test
  void badValuesFailTheTaskWithColumnAndPartitionRow() {
    Dataset<Row> df = spark.range(0, 10, 1, 1).selectExpr("CASE WHEN id = 3 THEN double('NaN') ELSE id * 1.0D END as price");
    SecretTableSchema schema = SecretTableSchema.fromSpark(df.schema(), 0, F);
    Exception e = assertThrows(Exception.class, () -> DataFrameBridge.mapEncodedPartitions(df, schema,
        DataFrameBridge.config(spark), null, (p, batches) -> batches).count());
    Throwable c = e;
    while (c != null && !(c instanceof ColumnEncodingException)) c = c.getCause();
    assertTrue(c instanceof ColumnEncodingException, "cause chain holds the encoding error: " + e);
    ColumnEncodingException ce = (ColumnEncodingException) c;
    assertEquals("price", ce.column());
    assertEquals(3, ce.row());
    assertTrue(ce.getMessage().contains("NaN"), ce.getMessage());
  }

  @Test
  void aSecretSchemaThatDoesNotDescribeTheDataFrameIsRejectedOnTheDriver() {
    Dataset<Row> df = spark.range(0, 10).selectExpr("id", "cast(id as int) as n");
    SecretTableSchema wrong = SecretTableSchema.fromSpark(spark.range(1).selectExpr("id", "cast(id as double) as n").schema(), 0, F);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataFrameBridge.mapEncodedPartitions(df, wrong, DataFrameBridge.config(spark), null, (p, b) -> b));
    assertTrue(e.getMessage().contains("n INT") && e.getMessage().contains("DOUBLE"), e.getMessage());
  }
}

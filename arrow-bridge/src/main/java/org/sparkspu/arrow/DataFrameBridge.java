package org.sparkspu.arrow;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * DataFrame-level entry points: every partition of a DataFrame streamed through the bridge into
 * ring form on the executors, and revealed batches back into a DataFrame. Arrow memory comes from
 * {@link BridgeAllocators#root()} through one child allocator per task, freed when the task ends
 * even if it fails.
 */
public final class DataFrameBridge {
  private DataFrameBridge() {}

  /** The bridge settings for {@code spark}: default batch size and limit, the session time zone. */
  public static BridgeConfig config(SparkSession spark) {
    return BridgeConfig.defaults().withTimeZone(spark.conf().get("spark.sql.session.timeZone"));
  }

  /**
   * Runs {@code fn} on every partition of {@code df} in ring form. {@code schema} must describe
   * {@code df}'s columns (same names and types, in order); {@code hashKey} (16 bytes, or null when no
   * column is KEYED_HASH) is shipped to the executors inside the task closure.
   */
  public static <T> JavaRDD<T> mapEncodedPartitions(Dataset<Row> df, SecretTableSchema schema, BridgeConfig config,
      byte[] hashKey, EncodedPartitionFunction<T> fn) {
    checkMatches(df.schema(), schema);
    byte[] key = hashKey == null ? null : hashKey.clone();
    return SparkArrowAdapter.internalRows(df).toJavaRDD().mapPartitionsWithIndex((partition, rows) -> {
      SipHash24 hash = key == null ? null : new SipHash24(key);
      PartitionEncoder enc = PartitionEncoder.ofRows(rows, schema, config, hash, BridgeAllocators.root());
      closeWithTask(enc);
      return fn.apply(partition, enc);
    }, true);
  }

  /**
   * A DataFrame of {@code schema.revealedSparkSchema()} from revealed batches, decoded partition by
   * partition on the executors. The RDD of batches must be computed in the same stage (ring
   * tensors are not serialisable, so do not cache or shuffle it).
   */
  public static Dataset<Row> toDataFrame(SparkSession spark, SecretTableSchema schema, BridgeConfig config,
      JavaRDD<EncodedBatch> revealed) {
    JavaRDD<InternalRow> rows = revealed.mapPartitions(batches -> {
      RevealedRowIterator it = new RevealedRowIterator(batches, schema, config, BridgeAllocators.root());
      closeWithTask(it);
      return (Iterator<InternalRow>) it;
    }, true);
    return SparkArrowAdapter.createDataFrame(spark, rows.rdd(), schema.revealedSparkSchema());
  }

  private static void closeWithTask(AutoCloseable resource) {
    TaskContext ctx = TaskContext.get();
    if (ctx == null) return;
    ctx.addTaskCompletionListener((TaskCompletionListener) c -> {
      try {
        resource.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the arrow bridge's resources failed", e);
      }
    });
  }

  /** The secret schema must name {@code df}'s columns in order, with the same types. */
  static void checkMatches(StructType actual, SecretTableSchema schema) {
    StructField[] fs = actual.fields();
    if (fs.length != schema.size()) {
      throw new IllegalArgumentException("the DataFrame has " + fs.length + " columns, the secret schema " + schema.size()
          + ": " + actual.simpleString() + " vs " + schema);
    }
    for (int i = 0; i < fs.length; i++) {
      SecretColumn c = schema.column(i);
      if (!fs[i].name().equals(c.name()) || !fs[i].dataType().equals(c.type().toSpark())) {
        throw new IllegalArgumentException("column " + i + " of the DataFrame is " + fs[i].name() + " " + fs[i].dataType().sql()
            + ", the secret schema expects " + c.name() + " " + c.type());
      }
    }
  }
}

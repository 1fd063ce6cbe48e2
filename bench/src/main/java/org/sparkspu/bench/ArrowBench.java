package org.sparkspu.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkspu.arrow.BridgeAllocators;
import org.sparkspu.arrow.BridgeConfig;
import org.sparkspu.arrow.DataFrameBridge;
import org.sparkspu.arrow.EncodedBatch;
import org.sparkspu.arrow.EncodedColumn;
import org.sparkspu.arrow.SecretTableSchema;

/**
 * {@code bench/run arrow}: a Spark DataFrame of 4 columns (BIGINT, INT, DOUBLE, DECIMAL(12, 2)) to
 * ring tensors through the arrow bridge, on a local[2] SparkSession, 10M rows (1M with --quick):
 * two warm-up runs, then the median of five (the box is shared: the line also carries the best run
 * and the load average). The time includes Spark producing the rows. Each task consumes its batches
 * as the engine would (one at a time) and folds them into a checksum.
 * Then the same at 1/10 and 1x rows to show that memory stays flat when rows grow 10x: direct memory
 * is the sum of the partitions' Arrow allocator peaks (2 partitions on 2 cores run at once), heap is
 * the largest live heap seen right after a garbage collection during the run (GC beans), since the
 * heap in use between collections measures how lazily the collector runs, not what is held.
 */
public final class ArrowBench implements BenchMain.Suite {
  private static final int PARTITIONS = 2;
  private static final int FRACTION_BITS = 18;
  private static final int COLUMNS = 4;
  private static final int RUNS = 5;

  @Override
  public void run(boolean quick) throws Exception {
    long rows = quick ? 1_000_000L : 10_000_000L;
    long t0 = System.nanoTime();
    SparkSession spark = SparkSession.builder().master("local[" + PARTITIONS + "]").appName("bench-arrow")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    System.err.printf("spark started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    try (GcWatcher gc = new GcWatcher()) {
      BridgeConfig cfg = DataFrameBridge.config(spark);
      for (int i = 0; i < 2; i++) measure(spark, cfg, rows, gc, "warmup");
      List<Result> runs = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) runs.add(measure(spark, cfg, rows, gc, "run " + (i + 1)));
      runs.sort((a, b) -> Double.compare(a.seconds, b.seconds));
      Result median = runs.get(RUNS / 2);
      long values = rows * COLUMNS;
      Json.of("arrow").put("rows", rows).put("columns", COLUMNS).put("seconds", median.seconds)
          .put("values_per_s", values / median.seconds).put("peak_heap_mb", median.heapMb).put("peak_direct_mb", median.directMb)
          .put("best_values_per_s", values / runs.get(0).seconds).put("runs", RUNS).put("partitions", PARTITIONS)
          .put("batch_rows", cfg.batchRows()).put("types", "bigint,int,double,decimal(12,2)")
          .put("load_avg", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()).print();
      Result small = measure(spark, cfg, rows / 10, gc, "memory-small");
      Result large = measure(spark, cfg, rows, gc, "memory-large");
      Json.of("arrow").put("check", "memory_flat_when_rows_grow_10x").put("rows_small", small.rows).put("rows_large", large.rows)
          .put("batch_rows", cfg.batchRows())
          .put("peak_direct_mb_small", small.directMb).put("peak_direct_mb_large", large.directMb)
          .put("peak_heap_mb_small", small.heapMb).put("peak_heap_mb_large", large.heapMb)
          .put("direct_ratio", large.directMb / small.directMb).put("heap_ratio", large.heapMb / small.heapMb)
          .put("flat", large.directMb <= small.directMb * 1.1 && large.heapMb <= small.heapMb * 1.5 + 64).print();
    } finally {
      spark.stop();
    }
    System.err.printf("total %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private record Result(long rows, double seconds, double directMb, double heapMb) {}

  private static Dataset<Row> table(SparkSession spark, long rows) {
    return spark.range(0, rows, 1, PARTITIONS).selectExpr(
        "id as orderkey",
        "cast(id % 50 + 1 as int) as quantity",
        "(id % 100000) * 0.25D + 900.5D as price",
        "cast(id % 100000 as decimal(12, 2)) as amount");
  }

  private Result measure(SparkSession spark, BridgeConfig cfg, long rows, GcWatcher gc, String phase)
      throws InterruptedException {
    Dataset<Row> df = table(spark, rows);
    SecretTableSchema schema = SecretTableSchema.fromSpark(df.schema(), 0, FRACTION_BITS);
    System.gc();
    gc.reset();
    long start = System.nanoTime();
    List<long[]> parts = DataFrameBridge.mapEncodedPartitions(df, schema, cfg, null, (p, batches) -> {
      long n = 0, checksum = 0;
      while (batches.hasNext()) {
        EncodedBatch b = batches.next();
        n += b.rowCount();
        for (EncodedColumn c : b.columns()) checksum += c.values().sum();
      }
      return List.of(new long[] {n, checksum, batches.peakDirectBytes()}).iterator();
    }).collect();
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = 0, direct = 0;
    for (long[] p : parts) {
      n += p[0];
      direct += p[2];
    }
    if (n != rows) throw new IllegalStateException(phase + ": encoded " + n + " rows of " + rows);
    if (BridgeAllocators.root().getAllocatedMemory() != 0) throw new IllegalStateException(phase + ": Arrow memory leaked");
    Result r = new Result(rows, seconds, direct / 1048576.0, gc.peakLiveHeapBytes() / 1048576.0);
    System.err.printf("%s: %d rows in %.3f s (%.1fM values/s), %d GCs%n", phase, rows, seconds,
        rows * COLUMNS / seconds / 1e6, gc.collections());
    return r;
  }

  /**
   * Largest heap in use right after any garbage collection since {@link #reset}: the live set
   * (GC notifications). With no collection in the window, the heap after a forced one at the end.
   */
  private static final class GcWatcher implements NotificationListener, AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    GcWatcher() {
      for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (b instanceof NotificationEmitter e) {
          e.addNotificationListener(this, null, null);
          emitters.add(e);
        }
      }
    }

    void reset() {
      peak.set(0);
      count.set(0);
    }

    long collections() {
      return count.get();
    }

    long peakLiveHeapBytes() throws InterruptedException {
      if (count.get() == 0) {
        System.gc();
        // Notifications arrive on another thread after the collection.
        for (int i = 0; i < 200 && count.get() == 0; i++) Thread.sleep(10);
      }
      return peak.get();
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
      GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
      long used = 0;
      for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
        if (isHeapPool(e.getKey())) used += e.getValue().getUsed();
      }
      count.incrementAndGet();
      peak.accumulateAndGet(used, Math::max);
    }

    private static boolean isHeapPool(String pool) {
      return !(pool.contains("Metaspace") || pool.contains("Code") || pool.contains("Class Space") || pool.contains("CodeHeap"));
    }

    @Override
    public void close() throws javax.management.ListenerNotFoundException {
      for (NotificationEmitter e : emitters) e.removeNotificationListener(this);
    }
  }
}

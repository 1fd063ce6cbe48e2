package org.sparkspu.arrow;

import java.io.Serializable;

/**
 * Settings of the bridge for one partition: rows per Arrow record batch (the unit of streaming:
 * memory is bounded by it), the limit of the partition's Arrow allocator in bytes, and the Spark
 * session time zone Spark's Arrow schema needs for TIMESTAMP columns (values are UTC microseconds
 * whatever the zone).
 */
public record BridgeConfig(int batchRows, long allocatorLimitBytes, String timeZoneId) implements Serializable {
  public static final int DEFAULT_BATCH_ROWS = 1 << 14;
  public static final long DEFAULT_ALLOCATOR_LIMIT = 256L << 20;
  /** Upper bound on rows per batch, so that every batch's buffers stay far below 2 GiB. */
  public static final int MAX_BATCH_ROWS = 1 << 24;

  public BridgeConfig {
    if (batchRows < 1 || batchRows > MAX_BATCH_ROWS) {
      throw new IllegalArgumentException("rows per batch must be in [1, " + MAX_BATCH_ROWS + "], got " + batchRows);
    }
    if (allocatorLimitBytes < 1) throw new IllegalArgumentException("allocator limit must be positive, got " + allocatorLimitBytes);
    if (timeZoneId == null || timeZoneId.isEmpty()) throw new IllegalArgumentException("time zone id is required");
  }

  public static BridgeConfig defaults() {
    return new BridgeConfig(DEFAULT_BATCH_ROWS, DEFAULT_ALLOCATOR_LIMIT, "UTC");
  }

  public BridgeConfig withBatchRows(int rows) {
    return new BridgeConfig(rows, allocatorLimitBytes, timeZoneId);
  }

  public BridgeConfig withTimeZone(String zone) {
    return new BridgeConfig(batchRows, allocatorLimitBytes, zone);
  }

  public BridgeConfig withAllocatorLimit(long bytes) {
    return new BridgeConfig(batchRows, bytes, timeZoneId);
  }
}

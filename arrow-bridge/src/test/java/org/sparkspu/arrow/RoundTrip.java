package org.sparkspu.arrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.catalyst.InternalRow;

/** Test helper: rows through the bridge into ring form and back, keeping both ends for checks. */
record RoundTrip(List<EncodedBatch> batches, List<InternalRow> decoded) {
  static RoundTrip of(List<InternalRow> rows, SecretTableSchema schema, BridgeConfig config, SipHash24 key, BufferAllocator a) {
    List<EncodedBatch> batches = encode(rows, schema, config, key, a);
    List<InternalRow> back = new ArrayList<>();
    try (RevealedRowIterator it = new RevealedRowIterator(batches.iterator(), schema, config, a)) {
      it.forEachRemaining(back::add);
    }
    return new RoundTrip(batches, back);
  }

  static List<EncodedBatch> encode(List<InternalRow> rows, SecretTableSchema schema, BridgeConfig config, SipHash24 key,
      BufferAllocator a) {
    List<EncodedBatch> batches = new ArrayList<>();
    try (PartitionEncoder enc = PartitionEncoder.ofRows(rows.iterator(), schema, config, key, a)) {
      enc.forEachRemaining(batches::add);
    }
    return batches;
  }

  /** All ring values of column {@code col}, over all batches. */
  long[] values(int col) {
    int n = 0;
    for (EncodedBatch b : batches) n += b.rowCount();
    long[] out = new long[n];
    int at = 0;
    for (EncodedBatch b : batches) {
      long[] d = b.column(col).values().data();
      System.arraycopy(d, 0, out, at, d.length);
      at += d.length;
    }
    return out;
  }

  /** All validity bits of column {@code col}, over all batches. */
  long[] validity(int col) {
    int n = 0;
    for (EncodedBatch b : batches) n += b.rowCount();
    long[] out = new long[n];
    int at = 0;
    for (EncodedBatch b : batches) {
      long[] d = b.column(col).validity().data();
      System.arraycopy(d, 0, out, at, d.length);
      at += d.length;
    }
    return out;
  }
}

package org.sparkspu.arrow;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Streams one partition into ring form, one {@link EncodedBatch} of at most
 * {@link BridgeConfig#batchRows()} rows at a time. Rows (or ColumnarBatches whose columns are not
 * Arrow) go through Spark's ArrowWriter into a reused record batch; ColumnarBatches of
 * {@link ArrowColumnVector}s are encoded straight from their vectors, in windows, without a copy.
 * Either way the off-heap memory is one batch, taken from a child allocator with the configured
 * limit, and the heap holds only the batch being handed out: memory is bounded by the batch size,
 * not the partition's row count.
 *
 * <p>The encoder closes itself once exhausted; close it explicitly (try-with-resources, or a task
 * completion listener) when the stream may stop early. Errors name the column and the 0-based row
 * within the partition.
 */
public final class PartitionEncoder implements Iterator<EncodedBatch>, AutoCloseable {
  private final SecretTableSchema schema;
  private final BridgeConfig config;
  private final BatchEncoder encoder;
  private final BufferAllocator allocator;
  private final Iterator<ColumnarBatch> batches; // null when the source is rows
  private Iterator<InternalRow> rows;
  private ArrowRecordBatcher batcher;
  private List<FieldVector> arrowVectors; // current Arrow-backed input batch, not owned
  private int arrowPos;
  private int arrowRows;
  private long nextRow;
  private EncodedBatch pending;
  private boolean closed;

  private PartitionEncoder(SecretTableSchema schema, BridgeConfig config, SipHash24 hashKey, BufferAllocator parent,
      Iterator<InternalRow> rows, Iterator<ColumnarBatch> batches) {
    this.schema = schema;
    this.config = config;
    this.encoder = new BatchEncoder(schema, hashKey);
    this.allocator = parent.newChildAllocator("arrow-bridge-partition", 0, config.allocatorLimitBytes());
    this.rows = rows;
    this.batches = batches;
  }

  /** Encodes a partition given as Spark internal rows of {@code schema.sparkSchema()}. */
  public static PartitionEncoder ofRows(Iterator<InternalRow> rows, SecretTableSchema schema, BridgeConfig config,
      SipHash24 hashKey, BufferAllocator parent) {
    return new PartitionEncoder(schema, config, hashKey, parent, rows, null);
  }

  /**
   * Encodes a partition given as ColumnarBatches. Each batch is fully encoded before the next one
   * is requested, so producers that reuse their batch are safe.
   */
  public static PartitionEncoder ofColumnarBatches(Iterator<ColumnarBatch> batches, SecretTableSchema schema,
      BridgeConfig config, SipHash24 hashKey, BufferAllocator parent) {
    return new PartitionEncoder(schema, config, hashKey, parent, null, batches);
  }

  /** Rows encoded so far: the partition row number of the next batch's first row. */
  public long rowsEncoded() {
    return nextRow;
  }

  /** Peak off-heap bytes this partition's allocator has held. */
  public long peakDirectBytes() {
    return allocator.getPeakMemoryAllocation();
  }

  @Override
  public boolean hasNext() {
    if (pending == null && !closed) {
      pending = advance();
      if (pending == null) close();
    }
    return pending != null;
  }

  @Override
  public EncodedBatch next() {
    if (!hasNext()) throw new NoSuchElementException("partition exhausted after " + nextRow + " rows");
    EncodedBatch b = pending;
    pending = null;
    return b;
  }

  private EncodedBatch advance() {
    while (true) {
      if (arrowVectors != null) {
        if (arrowPos < arrowRows) {
          int n = Math.min(config.batchRows(), arrowRows - arrowPos);
          EncodedBatch b = encoder.encode(arrowVectors, arrowPos, n, nextRow);
          arrowPos += n;
          nextRow += n;
          return b;
        }
        arrowVectors = null;
      }
      if (rows != null) {
        if (batcher == null) {
          batcher = new ArrowRecordBatcher(schema.sparkSchema(), config.timeZoneId(), allocator, config.batchRows());
        }
        int n = batcher.fill(rows);
        if (n > 0) {
          EncodedBatch b = encoder.encode(batcher.root().getFieldVectors(), 0, n, nextRow);
          nextRow += n;
          return b;
        }
        rows = null;
      }
      if (batches == null || !batches.hasNext()) return null;
      ColumnarBatch cb = batches.next();
      List<FieldVector> vectors = arrowVectorsOf(cb);
      if (vectors != null) {
        arrowVectors = vectors;
        arrowPos = 0;
        arrowRows = cb.numRows();
      } else {
        rows = cb.rowIterator();
      }
    }
  }

  /** The Arrow vectors behind a batch, or null when any column is not an ArrowColumnVector. */
  private List<FieldVector> arrowVectorsOf(ColumnarBatch cb) {
    if (cb.numCols() != schema.size()) {
      throw new IllegalArgumentException("the ColumnarBatch has " + cb.numCols() + " columns, the schema " + schema.size() + ": " + schema);
    }
    List<FieldVector> out = new ArrayList<>(cb.numCols());
    for (int i = 0; i < cb.numCols(); i++) {
      ColumnVector c = cb.column(i);
      if (!(c instanceof ArrowColumnVector a)) return null;
      ValueVector v = a.getValueVector();
      if (!(v instanceof FieldVector f) || f.getValueCount() < cb.numRows()) return null;
      out.add(f);
    }
    return out;
  }

  /** Frees the record batch and the partition's allocator; a leak fails loudly here. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    pending = null;
    try {
      if (batcher != null) batcher.close();
    } finally {
      allocator.close();
    }
  }
}

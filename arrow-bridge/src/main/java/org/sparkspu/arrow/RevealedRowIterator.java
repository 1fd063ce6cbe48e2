package org.sparkspu.arrow;

import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Revealed batches of a partition to Spark internal rows of
 * {@link SecretTableSchema#revealedSparkSchema()}: each batch is decoded into Arrow vectors, read
 * through a ColumnarBatch of ArrowColumnVectors and freed before the next one, so one batch of
 * off-heap memory is held at a time. Rows are copies, safe to keep. Closes itself when exhausted.
 */
public final class RevealedRowIterator implements Iterator<InternalRow>, AutoCloseable {
  private final Iterator<EncodedBatch> batches;
  private final RingDecoder decoder;
  private final BufferAllocator allocator;
  private ColumnarBatch current;
  private Iterator<InternalRow> rows = Collections.emptyIterator();
  private boolean closed;

  public RevealedRowIterator(Iterator<EncodedBatch> batches, SecretTableSchema schema, BridgeConfig config, BufferAllocator parent) {
    this.batches = batches;
    this.decoder = new RingDecoder(schema, config.timeZoneId());
    this.allocator = parent.newChildAllocator("arrow-bridge-reveal", 0, config.allocatorLimitBytes());
  }

  @Override
  public boolean hasNext() {
    while (!closed && !rows.hasNext()) {
      releaseCurrent();
      if (!batches.hasNext()) {
        close();
        return false;
      }
      VectorSchemaRoot root = decoder.decode(batches.next(), allocator);
      current = RingDecoder.toColumnarBatch(root);
      rows = current.rowIterator();
    }
    return !closed;
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) throw new NoSuchElementException();
    return rows.next().copy();
  }

  private void releaseCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
    rows = Collections.emptyIterator();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      releaseCurrent();
    } finally {
      allocator.close();
    }
  }
}

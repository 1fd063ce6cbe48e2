package org.sparkspu.arrow;

import java.util.Iterator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * Turns a stream of Spark rows into Arrow record batches of at most {@code batchRows} rows, using
 * Spark's own ArrowWriter (through {@link SparkArrowAdapter}). One {@link VectorSchemaRoot} is
 * allocated from the given allocator and refilled for every batch, so off-heap memory is bounded by
 * one batch whatever the number of rows. Close it to free the vectors.
 */
public final class ArrowRecordBatcher implements AutoCloseable {
  private final VectorSchemaRoot root;
  private final SparkArrowAdapter.RowWriter writer;
  private final int batchRows;
  private final BufferAllocator allocator;

  public ArrowRecordBatcher(StructType schema, String timeZoneId, BufferAllocator allocator, int batchRows) {
    if (batchRows < 1) throw new IllegalArgumentException("rows per batch must be positive, got " + batchRows);
    this.batchRows = batchRows;
    this.root = VectorSchemaRoot.create(SparkArrowAdapter.toArrowSchema(schema, timeZoneId), allocator);
    // Sized for a full batch up front: no doubling (and transient double allocation) while filling.
    for (FieldVector v : root.getFieldVectors()) v.setInitialCapacity(batchRows);
    try {
      this.writer = SparkArrowAdapter.rowWriter(root);
    } catch (OutOfMemoryException e) {
      root.close();
      throw overLimit(allocator, e);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
    this.allocator = allocator;
  }

  /**
   * Replaces the batch's content with the next rows of {@code rows}, at most {@code batchRows},
   * and returns how many were written (0 once {@code rows} is exhausted).
   */
  public int fill(Iterator<InternalRow> rows) {
    writer.reset();
    int n = 0;
    try {
      while (n < batchRows && rows.hasNext()) {
        writer.write(rows.next());
        n++;
      }
    } catch (OutOfMemoryException e) {
      throw overLimit(allocator, e);
    }
    writer.finish();
    return n;
  }

  private IllegalStateException overLimit(BufferAllocator a, OutOfMemoryException e) {
    return new IllegalStateException("an Arrow record batch of up to " + batchRows + " rows does not fit the partition's allocator limit of "
        + a.getLimit() + " bytes: lower the rows per batch or raise the allocator limit (BridgeConfig)", e);
  }

  /** The current batch; valid until the next {@link #fill} or {@link #close}. */
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public void close() {
    root.close();
  }
}

package org.sparkspu.arrow;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * The one place that touches Spark's internal (non-API) classes: ArrowUtils, ArrowWriter, the
 * classic Dataset's query execution and internalCreateDataFrame. Their signatures changed between
 * Spark 3.5 and 4.1 (NOTES.md pitfall 2); this class is written against Spark 4.1.0 and is what to
 * port when Spark moves. Nothing else in the bridge imports org.apache.spark.sql.execution or
 * org.apache.spark.sql.util.
 */
public final class SparkArrowAdapter {
  private SparkArrowAdapter() {}

  /**
   * Spark's own mapping of a Spark schema to Arrow (TIMESTAMP needs the session time zone),
   * with regular (not large) variable-width vectors and duplicate field names rejected.
   */
  public static Schema toArrowSchema(StructType schema, String timeZoneId) {
    return ArrowUtils.toArrowSchema(schema, timeZoneId, true, false);
  }

  /** Writes Spark rows into the vectors of a root that the caller allocated and owns. */
  public static RowWriter rowWriter(VectorSchemaRoot root) {
    return new RowWriter(ArrowWriter.create(root));
  }

  /** The partitions of a DataFrame as Spark's internal rows (no conversion to external Row objects). */
  public static RDD<InternalRow> internalRows(Dataset<Row> df) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) df).queryExecution().toRdd();
  }

  /** A DataFrame over an RDD of internal rows that match {@code schema}. */
  public static Dataset<Row> createDataFrame(SparkSession spark, RDD<InternalRow> rows, StructType schema) {
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows, schema, false);
  }

  /** Spark's ArrowWriter behind a three-method surface. */
  public static final class RowWriter {
    private final ArrowWriter writer;

    private RowWriter(ArrowWriter writer) {
      this.writer = writer;
    }

    /** Appends one row to the vectors. */
    public void write(InternalRow row) {
      writer.write(row);
    }

    /** Sets the row count of the root to the rows written since the last reset. */
    public void finish() {
      writer.finish();
    }

    /** Empties the vectors for the next batch, keeping their buffers. */
    public void reset() {
      writer.reset();
    }
  }
}

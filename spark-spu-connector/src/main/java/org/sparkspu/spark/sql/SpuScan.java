package org.sparkspu.spark.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;

/**
 * A completely pushed secure query over a spu table. Planning its input partitions runs the query
 * in MPC once, on the driver ({@link SecureTable#execute}), and hands the revealed rows (a few per
 * group) to Spark as one input partition; Spark then only applies what sits above the aggregate
 * (HAVING, ORDER BY, projections) to revealed rows. Reports the query's MPC figures as driver
 * metrics ({@link SpuMetrics}).
 */
public final class SpuScan implements Scan, Batch {
  private final SecureTable table;
  private final transient SparkSession spark;
  private final SpuConf conf;
  private final SecureQuery query;
  private final StructType schema;
  private final boolean[] neverNull;
  private final int[] receivers;
  private final String tag;
  private QueryResult result;
  private InternalRow[] rows;

  SpuScan(SecureTable table, SparkSession spark, SpuConf conf, SecureQuery query, StructType schema, boolean[] neverNull, int[] receivers,
      String tag) {
    this.table = table;
    this.spark = spark;
    this.conf = conf;
    this.query = query;
    this.schema = schema;
    this.neverNull = neverNull;
    this.receivers = receivers;
    this.tag = tag;
  }

  public SecureTable table() {
    return table;
  }

  public SecureQuery query() {
    return query;
  }

  /** The receiving parties, null for all. */
  public int[] receivers() {
    return receivers == null ? null : receivers.clone();
  }

  /** The profile of the run, null before the scan ran. */
  public synchronized QueryProfile profile() {
    return result == null ? null : result.profile();
  }

  /** The plan without running it: the secure query, its receivers and the table's explain (MPC program, rounds, bytes). */
  public String explain() {
    return "spu " + table.layout() + " table " + table.describe() + "\n"
        + "  query: " + query.describe(table.describe()) + "\n"
        + "  revealed to " + SpuSettings.describe(receivers) + ": the result rows (group keys and aggregates of groups with at least "
        + query.minGroupSize() + " rows)\n"
        + table.explain(spark, conf, query);
  }

  @Override
  public StructType readSchema() {
    return schema;
  }

  @Override
  public String description() {
    return "spu " + table.layout() + " " + table.describe() + ": " + query.describe(table.describe()) + " revealed to "
        + SpuSettings.describe(receivers);
  }

  /** Row-based: Spark would otherwise plan the input partitions (run the MPC) to ask them, e.g. during explain. */
  @Override
  public ColumnarSupportMode columnarSupportMode() {
    return ColumnarSupportMode.UNSUPPORTED;
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public InputPartition[] planInputPartitions() {
    InternalRow[] out = run();
    return out.length == 0 ? new InputPartition[0] : new InputPartition[] {new RevealedRows(out)};
  }

  private synchronized InternalRow[] run() {
    if (rows == null) {
      QueryResult r = table.execute(spark, conf, query, receivers);
      List<InternalRow> converted = new ArrayList<>();
      if (r.rows() != null) {
        for (Row row : r.rows()) {
          if (!suppressedGlobalRowSparkCannotShow(row)) converted.add(RowConverter.toInternal(row, schema));
        }
      }
      result = r;
      rows = converted.toArray(new InternalRow[0]);
      SpuQueryLog.record(tag, r.profile());
    }
    return rows;
  }

  /**
   * A global aggregate whose rows are under the minimum group size comes back as a row of NULLs;
   * when the query uses Spark's count (which Spark declares never NULL, so a NULL would show as 0)
   * that row is left out instead: the query returns no row rather than a false count.
   */
  private boolean suppressedGlobalRowSparkCannotShow(Row row) {
    if (!query.groupBy().isEmpty()) return false;
    for (int i = 0; i < neverNull.length; i++) {
      if (neverNull[i] && row.isNullAt(i)) return true;
    }
    return false;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new RevealedRowsReaderFactory();
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return SpuMetrics.supported();
  }

  @Override
  public synchronized CustomTaskMetric[] reportDriverMetrics() {
    if (result == null || result.profile() == null) return new CustomTaskMetric[0];
    return SpuMetrics.of(result.profile(), rows.length);
  }

  /** The revealed rows, carried to the task that returns them. */
  record RevealedRows(InternalRow[] rows) implements InputPartition {}

  static final class RevealedRowsReaderFactory implements PartitionReaderFactory {
    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      InternalRow[] rows = ((RevealedRows) partition).rows();
      return new PartitionReader<>() {
        private int next = -1;

        @Override
        public boolean next() {
          return ++next < rows.length;
        }

        @Override
        public InternalRow get() {
          return rows[next];
        }

        @Override
        public void close() {}
      };
    }
  }
}

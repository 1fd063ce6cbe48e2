package org.sparkspu.spark.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * TEST ONLY: a {@link SecureTable} that answers every secure query in plaintext Spark (rendering
 * the query's expressions back to SQL, as the horizontal layout does per party), with the same
 * suppression rule as the real layouts, and a fixed fake profile. It lets the SQL layer be tested
 * end to end (translation, push-down, refusal, schemas, metrics) without MPC.
 */
public final class PlainTable implements SecureTable {
  private final transient Dataset<Row> rows;
  private final String name;
  private final List<String> refusedGroupKeys;
  public final transient AtomicInteger executions = new AtomicInteger();
  public transient volatile SecureQuery lastQuery;
  public transient volatile int[] lastReceivers;
  /** When >= 0: the party this driver plays; a query not revealed to it returns no rows. */
  public volatile int self = -1;

  public PlainTable(String name, Dataset<Row> rows, String... refusedGroupKeys) {
    this.name = name;
    this.rows = rows;
    this.refusedGroupKeys = Arrays.asList(refusedGroupKeys);
  }

  @Override public StructType schema() { return rows.schema(); }
  @Override public String layout() { return "plain-test"; }
  @Override public String describe() { return name; }

  @Override
  public void validate(SecureQuery query) {
    for (String g : query.groupBy()) {
      if (refusedGroupKeys.contains(g)) throw new SpuQueryException(g, "column " + g + " is secret and has no public domain: it cannot be a group key");
    }
  }

  @Override
  public QueryResult execute(SparkSession spark, SpuConf conf, SecureQuery q, int[] receivers) {
    executions.incrementAndGet();
    lastQuery = q;
    lastReceivers = receivers;
    String view = "plain_" + System.identityHashCode(this) + "_" + executions.get();
    rows.createOrReplaceTempView(view);
    List<String> sel = new ArrayList<>();
    for (String g : q.groupBy()) sel.add("`" + g + "`");
    for (AggCall a : q.aggregates()) sel.add(sql(a));
    sel.add("count(*) AS `__rows`");
    String text = "SELECT " + String.join(", ", sel) + " FROM " + view + (q.filter() == null ? "" : " WHERE " + q.filter().sql())
        + (q.groupBy().isEmpty() ? "" : " GROUP BY " + q.groupBy().stream().map(g -> "`" + g + "`").collect(Collectors.joining(", ")));
    Dataset<Row> r = spark.sql(text);
    int n = q.groupBy().size() + q.aggregates().size();
    StructType schema = new StructType(Arrays.copyOf(r.schema().fields(), n));
    List<Row> out = new ArrayList<>();
    for (Row row : r.collectAsList()) {
      boolean small = row.getLong(n) < q.minGroupSize();
      if (small && !q.groupBy().isEmpty()) continue;
      Object[] v = new Object[n];
      for (int i = 0; i < n; i++) v[i] = small ? null : row.get(i);
      out.add(RowFactory.create(v));
    }
    spark.catalog().dropTempView(view);
    boolean receives = self < 0 || receivers == null || Arrays.stream(receivers).anyMatch(p -> p == self);
    QueryProfile profile = new QueryProfile(layout(), conf.protocol(), conf.parties(), 7, new long[] {100, 300, 200}, 0.012, 0.003,
        "plain test program", "aggregates to " + SpuSettings.describe(receivers));
    return new QueryResult(schema, receives ? out : List.of(), profile);
  }

  private static String sql(AggCall a) {
    String in = a.input() == null ? "*" : a.input().sql();
    String f = switch (a.kind()) {
      case SUM -> "sum";
      case COUNT, COUNT_STAR -> "count";
      case AVG -> "avg";
      case MIN -> "min";
      case MAX -> "max";
      case VAR_SAMP -> "var_samp";
      case STDDEV_SAMP -> "stddev_samp";
    };
    return f + "(" + in + ")";
  }

  @Override
  public String explain(SparkSession spark, SpuConf conf, SecureQuery query) {
    return "  PLAIN TEST PROGRAM: " + query.describe(name) + "\n  rounds 7, bytes per party (max) 300\n";
  }
}

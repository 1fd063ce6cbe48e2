package org.sparkspu.spark.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.aggregate.AggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Aggregation;
import org.apache.spark.sql.connector.expressions.aggregate.Count;
import org.apache.spark.sql.connector.expressions.aggregate.CountStar;
import org.apache.spark.sql.connector.expressions.filter.Predicate;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.SupportsPushDownAggregates;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.connector.read.SupportsPushDownV2Filters;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.ExprTypes;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * Builds the scan of a spu table from what Spark pushes into it. A spu scan only ever returns
 * revealed aggregates: the query must push completely (every filter translated, an aggregation
 * with group-by columns and secure aggregates), else {@link #build()} refuses it, naming the
 * columns that would have to leave MPC in plaintext and why.
 *
 * <p>Spark's order: {@link #pushPredicates} (the WHERE conjuncts it could express as connector
 * predicates), then, only when no filter stays above the scan and the aggregate sits right on it,
 * {@link #supportCompletePushDown}/{@link #pushAggregation}, then {@link #pruneColumns} when the
 * aggregate did not push, then {@link #build()}.
 */
final class SpuScanBuilder implements SupportsPushDownV2Filters, SupportsPushDownAggregates, SupportsPushDownRequiredColumns {
  static final String SECURE_HELP = "Aggregate secret columns with secure_sum, secure_count, secure_avg, secure_min, secure_max, "
      + "secure_var_samp, secure_stddev_samp (or sum, count, avg, min, max, var_samp, stddev_samp), group by plain columns, "
      + "and filter with comparisons, AND/OR/NOT, IN (constants), IS [NOT] NULL and + - * over columns and constants.";

  private final SecureTable table;
  private final SparkSession spark;
  private final SpuConf conf;
  private final int[] receivers;
  private final String tag;
  private final StructType schema;
  private final V2Translator translator;

  private final List<Predicate> pushed = new ArrayList<>();
  private Expr filter;
  private final List<Rejected> rejected = new ArrayList<>();
  private Rejected aggregateRefusal;
  private SecureQuery query;
  private StructType querySchema;
  private boolean[] neverNull;
  private StructType required;

  private record Rejected(String what, V2Translator.Refusal refusal) {}

  SpuScanBuilder(SecureTable table, SparkSession spark, Map<String, String> options) {
    this.table = table;
    this.spark = spark;
    this.conf = SpuSettings.conf(spark);
    this.receivers = SpuSettings.revealTo(spark, options, conf.parties());
    String t = null;
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase(SpuQueryLog.TAG_OPTION)) t = e.getValue();
    }
    this.tag = t;
    this.schema = table.schema();
    this.translator = new V2Translator(schema);
  }

  @Override
  public Predicate[] pushPredicates(Predicate[] predicates) {
    List<Predicate> left = new ArrayList<>();
    for (Predicate p : predicates) {
      try {
        Expr e = translator.predicate(p);
        pushed.add(p);
        if (e != null) filter = filter == null ? e : new Expr.And(filter, e);
      } catch (V2Translator.Refusal r) {
        rejected.add(new Rejected("the filter " + V2Translator.describe(p), r));
        left.add(p);
      }
    }
    return left.toArray(new Predicate[0]);
  }

  @Override
  public Predicate[] pushedPredicates() {
    return pushed.toArray(new Predicate[0]);
  }

  @Override
  public boolean supportCompletePushDown(Aggregation aggregation) {
    return translate(aggregation) != null;
  }

  @Override
  public boolean pushAggregation(Aggregation aggregation) {
    SecureQuery q = translate(aggregation);
    if (q == null) return false;
    query = q;
    querySchema = schemaOf(q);
    // Spark declares its own count and count(*) never NULL (a secure_count may be NULL).
    neverNull = new boolean[querySchema.size()];
    AggregateFunc[] fs = aggregation.aggregateExpressions();
    for (int i = 0; i < fs.length; i++) neverNull[q.groupBy().size() + i] = fs[i] instanceof Count || fs[i] instanceof CountStar;
    return true;
  }

  /** The secure query of this aggregation over the pushed filter, or null (the refusal recorded). */
  private SecureQuery translate(Aggregation aggregation) {
    try {
      List<String> groupBy = new ArrayList<>();
      for (Expression g : aggregation.groupByExpressions()) groupBy.add(translator.groupColumn(g));
      List<AggCall> aggs = new ArrayList<>();
      Set<String> names = new HashSet<>(groupBy);
      for (AggregateFunc f : aggregation.aggregateExpressions()) {
        String alias = V2Translator.describe(f);
        for (int i = 2; !names.add(alias); i++) alias = V2Translator.describe(f) + "#" + i;
        try {
          aggs.add(translator.aggregate(f, alias));
        } catch (V2Translator.Refusal r) {
          aggregateRefusal = new Rejected("the aggregate " + V2Translator.describe(f), r);
          return null;
        }
      }
      if (groupBy.isEmpty() && aggs.isEmpty()) return null;
      aggregateRefusal = null;
      return new SecureQuery(filter, groupBy, aggs, conf.minGroupSize());
    } catch (V2Translator.Refusal r) {
      aggregateRefusal = new Rejected("the GROUP BY", r);
      return null;
    }
  }

  /** What the scan returns: the group-by columns with their table types, then each aggregate with Spark's result type. */
  private StructType schemaOf(SecureQuery q) {
    List<StructField> fields = new ArrayList<>();
    for (String g : q.groupBy()) fields.add(new StructField(g, schema.apply(g).dataType(), true, Metadata.empty()));
    for (AggCall a : q.aggregates()) {
      DataType in = a.input() == null ? null : typeOf(a.input());
      DataType out = a.kind() == AggKind.COUNT || a.kind() == AggKind.COUNT_STAR ? DataTypes.LongType : a.resultType(in);
      fields.add(new StructField(a.alias(), out, true, Metadata.empty()));
    }
    return new StructType(fields.toArray(new StructField[0]));
  }

  private DataType typeOf(Expr e) {
    if (e instanceof Expr.Col c) return schema.apply(c.name()).dataType();
    return ExprTypes.typeOf(spark, schema, e);
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    required = requiredSchema;
  }

  @Override
  public Scan build() {
    if (query == null) throw refusal();
    table.validate(query);
    return new SpuScan(table, spark, conf, query, querySchema, neverNull, receivers, tag);
  }

  /** Why the query did not push completely, naming the columns that would leave MPC in plaintext. */
  private SpuQueryException refusal() {
    String where = " (spu table " + table.describe() + ")";
    if (!rejected.isEmpty() || aggregateRefusal != null) {
      Rejected r = !rejected.isEmpty() ? rejected.get(0) : aggregateRefusal;
      List<String> cols = r.refusal().columns;
      String col = cols.isEmpty() ? null : cols.get(0);
      String on = cols.isEmpty() ? "" : " on column" + (cols.size() > 1 ? "s " : " ") + String.join(", ", cols);
      return new SpuQueryException(col, r.what() + on + " cannot be evaluated in MPC: " + r.refusal().reason
          + "; running it in plaintext would reveal secret rows, so the query is refused" + where + ". " + SECURE_HELP);
    }
    List<String> cols = Arrays.asList((required != null ? required : schema).fieldNames());
    if (cols.isEmpty()) {
      return new SpuQueryException(null, "the query reads rows of a secret table in plaintext" + where
          + "; only aggregates computed in MPC can be revealed. " + SECURE_HELP);
    }
    String col = cols.get(0);
    return new SpuQueryException(col, "column " + col + " is secret: a query that returns or post-processes its rows in plaintext is refused"
        + (cols.size() > 1 ? " (it would need columns " + String.join(", ", cols) + " in plaintext)" : "") + where
        + ". Spark pushes a query into MPC only as a whole: every filter translatable, an aggregate directly over the table"
        + " (no SELECT of raw columns, no UDF or unsupported function in WHERE, no join below the aggregate). " + SECURE_HELP);
  }
}

package org.sparkspu.spark.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.aggregate.V2Aggregator;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.catalog.functions.AggregateFunction;
import org.apache.spark.sql.connector.catalog.functions.BoundFunction;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.plan.SpuQueryException;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The one class of spark-spu that uses Spark's Catalyst internals (expressions, logical and
 * physical plans, the function registry), which are not a stable API and change between Spark
 * releases; everything else uses the connector API. Kept small so that a Spark upgrade touches
 * only this file. It does three things: registers the unqualified secure_* names (a function
 * builder must return a Catalyst expression), stops a secure function that did not push into a
 * spu scan at planning time, and finds the spu scans and their metrics in a DataFrame's plans.
 */
public final class CatalystBridge {
  private CatalystBridge() {}

  /**
   * Registers secure_sum ... secure_stddev_samp as session functions. Each call builds the same
   * aggregate a {@code spu.system.*} call resolves to (the bound {@link SecureAggregateFunction}
   * in Spark's {@code V2Aggregator}), so Spark pushes both spellings alike, DISTINCT included.
   */
  static void injectSecureFunctions(SparkSessionExtensions extensions) {
    for (String name : SpuCatalog.FUNCTIONS) {
      ExpressionInfo info = new ExpressionInfo(SecureAggregateFunction.class.getName(), null, name,
          SpuCatalog.function(name).description(), "", "", "", "agg_funcs", "", "", "built-in");
      scala.Function1<Seq<Expression>, Expression> builder = args -> bind(name, args);
      extensions.injectFunction(new Tuple3<>(new FunctionIdentifier(name), info, builder));
    }
    extensions.injectPlannerStrategy(session -> new NotPushedCheck());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Expression bind(String name, Seq<Expression> args) {
    List<Expression> list = CollectionConverters.asJava(args);
    StructField[] fields = new StructField[list.size()];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = new StructField("arg" + i, list.get(i).dataType(), list.get(i).nullable(), Metadata.empty());
    }
    BoundFunction bound;
    try {
      bound = SpuCatalog.function(name).bind(new StructType(fields));
    } catch (UnsupportedOperationException e) {
      throw new SpuQueryException(null, e.getMessage());
    }
    V2Aggregator agg = new V2Aggregator((AggregateFunction) bound, args, 0, 0);
    // Name the output column "secure_sum(x)", not Spark's "v2aggregator(x)", as built-in aliases do.
    agg.setTagValue(FunctionRegistry.FUNC_ALIAS(), name);
    return agg;
  }

  /**
   * A planner strategy that plans nothing: it fails a query whose optimized plan still holds a
   * secure aggregate (one not pushed into a spu scan, e.g. over a plain table), before any task
   * runs. The function would refuse at run time anyway; this gives the error at planning.
   */
  static final class NotPushedCheck extends SparkStrategy {
    @Override
    public Seq<SparkPlan> apply(LogicalPlan plan) {
      if (plan instanceof Aggregate agg) {
        for (Object e : CollectionConverters.asJava(agg.aggregateExpressions())) {
          String f = secureFunctionIn((Expression) e); // NamedExpression: a Scala trait over Expression
          if (f != null) throw SecureAggregateFunction.notPushed(f);
        }
      }
      return CollectionConverters.asScala(List.<SparkPlan>of()).toList();
    }
  }

  private static String secureFunctionIn(Expression e) {
    if (e instanceof V2Aggregator<?, ?> v && v.aggrFunc() instanceof SecureAggregateFunction.Bound b) return b.name();
    for (Expression c : CollectionConverters.asJava(e.children())) {
      String f = secureFunctionIn(c);
      if (f != null) return f;
    }
    return null;
  }

  /**
   * Optimizes {@code df}'s plan (which builds its spu scans, refusing queries that do not push)
   * and returns its spu scans.
   */
  public static List<SpuScan> spuScans(Dataset<Row> df) {
    List<SpuScan> out = new ArrayList<>();
    collectScans(queryExecution(df).optimizedPlan(), out);
    return out;
  }

  private static void collectScans(LogicalPlan plan, List<SpuScan> out) {
    if (plan instanceof DataSourceV2ScanRelation r && r.scan() instanceof SpuScan s) out.add(s);
    for (LogicalPlan c : CollectionConverters.asJava(plan.children())) collectScans(c, out);
    for (LogicalPlan c : CollectionConverters.asJava(plan.subqueries())) collectScans(c, out);
  }

  /** The optimized logical plan as text. */
  public static String optimizedPlanText(Dataset<Row> df) {
    return queryExecution(df).optimizedPlan().toString();
  }

  /**
   * The spu scan metrics (name to value) of {@code df}'s executed physical plan, one map per spu
   * scan; values are set once the query ran.
   */
  public static List<Map<String, Long>> scanMetrics(Dataset<Row> df) {
    List<Map<String, Long>> out = new ArrayList<>();
    collectMetrics(queryExecution(df).executedPlan(), out);
    return out;
  }

  private static void collectMetrics(SparkPlan plan, List<Map<String, Long>> out) {
    if (plan instanceof AdaptiveSparkPlanExec a) {
      collectMetrics(a.executedPlan(), out);
      return;
    }
    if (plan instanceof QueryStageExec q) {
      collectMetrics(q.plan(), out);
      return;
    }
    if (plan instanceof BatchScanExec b && b.scan() instanceof SpuScan) {
      Map<String, Long> m = new LinkedHashMap<>();
      for (Map.Entry<String, SQLMetric> e : CollectionConverters.asJava(b.metrics()).entrySet()) m.put(e.getKey(), e.getValue().value());
      out.add(m);
    }
    for (SparkPlan c : CollectionConverters.asJava(plan.children())) collectMetrics(c, out);
    for (SparkPlan c : CollectionConverters.asJava(plan.subqueries())) collectMetrics(c, out);
  }

  private static org.apache.spark.sql.execution.QueryExecution queryExecution(Dataset<Row> df) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) df).queryExecution();
  }
}

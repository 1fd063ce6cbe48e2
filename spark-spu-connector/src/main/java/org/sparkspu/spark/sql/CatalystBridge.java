package org.sparkspu.spark.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedStar;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.aggregate.V2Aggregator;
import org.apache.spark.sql.catalyst.parser.ParameterContext;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.connector.catalog.functions.AggregateFunction;
import org.apache.spark.sql.connector.catalog.functions.BoundFunction;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.plan.SpuQueryException;
import scala.Option;
import scala.PartialFunction;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractPartialFunction;

/**
 * The one class of spark-spu that uses Spark's Catalyst internals (expressions, logical and
 * physical plans, the function registry), which are not a stable API and change between Spark
 * releases; everything else uses the connector API. Kept small so that a Spark upgrade touches
 * only this file. It does four things: registers the unqualified secure_* names (a function
 * builder must return a Catalyst expression), reads {@code secure_count(*)} as
 * {@code secure_count(1)} the way Spark's parser reads {@code count(*)}, stops a secure function
 * that did not push into a spu scan at planning time, and finds the spu scans and their metrics in
 * a DataFrame's plans.
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
    extensions.injectParser((session, delegate) -> new CountStarParser(delegate));
  }

  /**
   * Spark's own parser turns {@code count(*)} into {@code count(1)}; for any other function the
   * analyzer later expands {@code *} to every column. This wrapper does for {@code secure_count(*)}
   * (also {@code spu.system.secure_count(*)}) what the parser does for count, so that it counts
   * rows, NULLs included, as count(*) does. DISTINCT keeps Spark's meaning (and is refused).
   */
  static final class CountStarParser implements ParserInterface {
    private final ParserInterface delegate;

    CountStarParser(ParserInterface delegate) {
      this.delegate = delegate;
    }

    @Override
    public LogicalPlan parsePlan(String sql) throws ParseException {
      return rewrite(delegate.parsePlan(sql));
    }

    @Override
    public LogicalPlan parsePlanWithParameters(String sql, ParameterContext parameters) throws ParseException {
      return rewrite(delegate.parsePlanWithParameters(sql, parameters));
    }

    @Override
    public LogicalPlan parseQuery(String sql) throws ParseException {
      return rewrite(delegate.parseQuery(sql));
    }

    @Override
    public Expression parseExpression(String sql) throws ParseException {
      return delegate.parseExpression(sql).transform(COUNT_STAR);
    }

    @Override
    public TableIdentifier parseTableIdentifier(String sql) throws ParseException {
      return delegate.parseTableIdentifier(sql);
    }

    @Override
    public FunctionIdentifier parseFunctionIdentifier(String sql) throws ParseException {
      return delegate.parseFunctionIdentifier(sql);
    }

    @Override
    public Seq<String> parseMultipartIdentifier(String sql) throws ParseException {
      return delegate.parseMultipartIdentifier(sql);
    }

    @Override
    public StructType parseRoutineParam(String sql) throws ParseException {
      return delegate.parseRoutineParam(sql);
    }

    @Override
    public StructType parseTableSchema(String sql) throws ParseException {
      return delegate.parseTableSchema(sql);
    }

    @Override
    public DataType parseDataType(String sql) throws ParseException {
      return delegate.parseDataType(sql);
    }

    private static LogicalPlan rewrite(LogicalPlan plan) {
      return plan.transformUpWithSubqueries(new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
        @Override
        public boolean isDefinedAt(LogicalPlan p) {
          return true;
        }

        @Override
        public LogicalPlan apply(LogicalPlan p) {
          LogicalPlan out = p.transformExpressions(COUNT_STAR);
          // WITH's definitions are neither children nor subquery expressions: rewrite each
          if (out instanceof UnresolvedWith with) {
            List<Tuple3<String, SubqueryAlias, Option<Object>>> ctes = new ArrayList<>();
            for (Tuple3<String, SubqueryAlias, Option<Object>> cte : CollectionConverters.asJava(with.cteRelations())) {
              ctes.add(new Tuple3<>(cte._1(), (SubqueryAlias) rewrite(cte._2()), cte._3()));
            }
            out = with.copy(with.child(), CollectionConverters.asScala(ctes).toSeq(), with.allowRecursion());
          }
          return out;
        }
      });
    }

    private static final PartialFunction<Expression, Expression> COUNT_STAR = new AbstractPartialFunction<>() {
      @Override
      public boolean isDefinedAt(Expression e) {
        if (!(e instanceof UnresolvedFunction f) || f.isDistinct() || f.arguments().size() != 1) return false;
        if (!(f.arguments().head() instanceof UnresolvedStar star) || star.target().isDefined()) return false;
        List<String> name = CollectionConverters.asJava(f.nameParts());
        List<String> lower = name.stream().map(x -> x.toLowerCase(java.util.Locale.ROOT)).toList();
        return lower.equals(List.of("secure_count")) || lower.equals(List.of("spu", "system", "secure_count"));
      }

      @Override
      public Expression apply(Expression e) {
        List<Expression> children = new ArrayList<>(CollectionConverters.asJava(e.children()));
        children.set(0, Literal.create(1, DataTypes.IntegerType));
        return e.withNewChildren(CollectionConverters.asScala(children).toSeq());
      }
    };
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

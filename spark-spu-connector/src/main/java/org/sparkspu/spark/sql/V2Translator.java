package org.sparkspu.spark.sql;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.connector.expressions.Cast;
import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.GeneralScalarExpression;
import org.apache.spark.sql.connector.expressions.Literal;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.aggregate.AggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Avg;
import org.apache.spark.sql.connector.expressions.aggregate.Count;
import org.apache.spark.sql.connector.expressions.aggregate.CountStar;
import org.apache.spark.sql.connector.expressions.aggregate.GeneralAggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Max;
import org.apache.spark.sql.connector.expressions.aggregate.Min;
import org.apache.spark.sql.connector.expressions.aggregate.Sum;
import org.apache.spark.sql.connector.expressions.aggregate.UserDefinedAggregateFunc;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;

/**
 * Translates Spark's connector (V2) predicates, expressions and aggregate functions over one
 * table into the secure query language ({@link Expr}, {@link AggCall}). What it cannot translate
 * it reports as a {@link Refusal} naming the columns and the reason; the scan builder turns
 * refusals into the error of a query that would need secret rows in plaintext.
 *
 * <p>Translated: comparisons (= <> < <= > >= and null-safe <=>), AND, OR, NOT, IS [NOT] NULL, IN
 * over constants, + - * and unary minus, CASE WHEN ... THEN ... [ELSE ...] END, numeric casts that do not lose information (Spark inserts
 * them to widen operands; they are dropped since the consumers widen the same way), columns and
 * constants (integers, doubles, decimals, strings, dates, booleans). Aggregates: SUM, COUNT,
 * COUNT(*), AVG, MIN, MAX, VAR_SAMP, STDDEV_SAMP and the secure_* functions of {@link SpuCatalog},
 * none DISTINCT.
 */
final class V2Translator {
  private final StructType schema;
  private final Set<String> columns;

  V2Translator(StructType schema) {
    this.schema = schema;
    this.columns = new LinkedHashSet<>(Arrays.asList(schema.fieldNames()));
  }

  /** Why an expression cannot be evaluated in MPC: the columns it reads and the reason (no data values). */
  static final class Refusal extends Exception {
    final List<String> columns;
    final String reason;

    Refusal(List<String> columns, String reason) {
      super(reason, null, false, false);
      this.columns = List.copyOf(columns);
      this.reason = reason;
    }
  }

  /** A filter predicate. ALWAYS_TRUE translates to null (no filter). */
  Expr predicate(Expression p) throws Refusal {
    if (p instanceof GeneralScalarExpression g && g.name().equals("ALWAYS_TRUE")) return null;
    if (p instanceof GeneralScalarExpression g && g.name().equals("ALWAYS_FALSE")) {
      return new Expr.Cmp("=", Expr.Lit.of(0), Expr.Lit.of(1));
    }
    return expr(p);
  }

  Expr expr(Expression e) throws Refusal {
    if (e instanceof NamedReference r) return column(r);
    if (e instanceof Literal<?> l) return literal(l);
    if (e instanceof Cast c) return cast(c);
    if (e instanceof GeneralScalarExpression g) return scalar(g);
    throw refuse(e, "the expression " + describe(e) + " has no secure equivalent");
  }

  private Expr scalar(GeneralScalarExpression g) throws Refusal {
    Expression[] c = g.children();
    String name = g.name();
    switch (name) {
      case "=", "<>", "<", "<=", ">", ">=":
        return new Expr.Cmp(name, expr(c[0]), expr(c[1]));
      case "<=>": {
        // a <=> b is never NULL: (a = b AND a IS NOT NULL AND b IS NOT NULL) OR (a IS NULL AND b IS NULL).
        Expr a = expr(c[0]);
        Expr b = expr(c[1]);
        if (b instanceof Expr.Lit l && l.value() != null) return new Expr.And(new Expr.Cmp("=", a, b), new Expr.IsNull(a, true));
        if (a instanceof Expr.Lit l && l.value() != null) return new Expr.And(new Expr.Cmp("=", a, b), new Expr.IsNull(b, true));
        Expr bothSet = new Expr.And(new Expr.IsNull(a, true), new Expr.IsNull(b, true));
        return new Expr.Or(new Expr.And(new Expr.Cmp("=", a, b), bothSet),
            new Expr.And(new Expr.IsNull(a, false), new Expr.IsNull(b, false)));
      }
      case "AND":
        return new Expr.And(expr(c[0]), expr(c[1]));
      case "OR":
        return new Expr.Or(expr(c[0]), expr(c[1]));
      case "NOT":
        return new Expr.Not(expr(c[0]));
      case "IS_NULL":
        return new Expr.IsNull(expr(c[0]), false);
      case "IS_NOT_NULL":
        return new Expr.IsNull(expr(c[0]), true);
      case "IN": {
        Expr child = expr(c[0]);
        List<Expr.Lit> values = new ArrayList<>();
        for (int i = 1; i < c.length; i++) {
          if (!(c[i] instanceof Literal<?> l)) throw refuse(g, "IN takes constants only in MPC");
          values.add(literal(l));
        }
        return new Expr.In(child, values);
      }
      case "+", "*":
        return new Expr.Arith(name, expr(c[0]), expr(c[1]));
      case "-":
        return c.length == 1 ? new Expr.Arith("-", Expr.Lit.of(0), expr(c[0])) : new Expr.Arith("-", expr(c[0]), expr(c[1]));
      case "CASE_WHEN": {
        // children: condition, value, condition, value, ... [, else value]
        List<Expr> conds = new ArrayList<>(), values = new ArrayList<>();
        for (int i = 0; i + 1 < c.length; i += 2) {
          conds.add(expr(c[i]));
          values.add(expr(c[i + 1]));
        }
        return new Expr.CaseWhen(conds, values, c.length % 2 == 1 ? expr(c[c.length - 1]) : null);
      }
      case "ALWAYS_TRUE":
        return new Expr.Cmp("=", Expr.Lit.of(1), Expr.Lit.of(1));
      case "ALWAYS_FALSE":
        return new Expr.Cmp("=", Expr.Lit.of(0), Expr.Lit.of(1));
      default:
        throw refuse(g, "the operation " + name + " (in " + describe(g) + ") has no secure equivalent");
    }
  }

  private Expr column(NamedReference r) throws Refusal {
    String[] parts = r.fieldNames();
    String name = String.join(".", parts);
    if (parts.length != 1 || !columns.contains(parts[0])) {
      throw new Refusal(List.of(name), "column " + name + " is not a top-level column of the table");
    }
    return new Expr.Col(parts[0]);
  }

  /** Constants as Spark external Java values (query constants, public). */
  Expr.Lit literal(Literal<?> l) throws Refusal {
    Object v = l.value();
    DataType t = l.dataType();
    if (v == null) return new Expr.Lit(null, t);
    if (t instanceof IntegerType || t instanceof LongType || t instanceof DoubleType || t instanceof BooleanType
        || t instanceof FloatType) {
      return new Expr.Lit(v, t);
    }
    if (t instanceof ShortType || t instanceof ByteType) return new Expr.Lit(((Number) v).intValue(), DataTypes.IntegerType);
    if (t instanceof DecimalType) {
      BigDecimal bd = v instanceof Decimal d ? d.toJavaBigDecimal() : (BigDecimal) v;
      return new Expr.Lit(bd, t);
    }
    if (t instanceof StringType) return new Expr.Lit(v.toString(), DataTypes.StringType);
    if (t instanceof DateType) {
      return new Expr.Lit(v instanceof Integer days ? LocalDate.ofEpochDay(days) : (LocalDate) v, DataTypes.DateType);
    }
    throw new Refusal(List.of(), "constants of type " + t.sql() + " are not supported in MPC expressions");
  }

  private Expr cast(Cast c) throws Refusal {
    DataType to = c.dataType();
    DataType from = c.expressionDataType();
    if (from == null && c.expression() instanceof NamedReference r && r.fieldNames().length == 1 && columns.contains(r.fieldNames()[0])) {
      from = schema.apply(r.fieldNames()[0]).dataType();
    }
    if (from != null && lossless(from, to)) return expr(c.expression());
    throw refuse(c, "the cast " + describe(c) + " may change values; only widening numeric casts run in MPC");
  }

  /** Whether every value of {@code from} is represented in {@code to} (or {@code to} is double, as Spark compares in it). */
  static boolean lossless(DataType from, DataType to) {
    if (from.equals(to)) return true;
    int fromDigits = integerDigits(from);
    if (to instanceof DoubleType) return fromDigits > 0 || from instanceof FloatType;
    if (to instanceof LongType) return fromDigits > 0 && fromDigits <= 19 && !(from instanceof DecimalType);
    if (to instanceof IntegerType) return from instanceof ShortType || from instanceof ByteType;
    if (to instanceof DecimalType d) {
      if (from instanceof DecimalType f) return d.scale() >= f.scale() && d.precision() - d.scale() >= f.precision() - f.scale();
      return fromDigits > 0 && d.precision() - d.scale() >= fromDigits;
    }
    return false;
  }

  /** Decimal digits an integral type needs (0 for non-integral types). */
  private static int integerDigits(DataType t) {
    if (t instanceof ByteType) return 3;
    if (t instanceof ShortType) return 5;
    if (t instanceof IntegerType) return 10;
    if (t instanceof LongType) return 19;
    if (t instanceof DecimalType d) return d.precision() - d.scale() > 0 ? d.precision() - d.scale() : 1;
    return 0;
  }

  /** A group-by key: a plain column. */
  String groupColumn(Expression e) throws Refusal {
    if (e instanceof NamedReference r) return ((Expr.Col) column(r)).name();
    throw refuse(e, "GROUP BY " + describe(e) + ": only plain columns can be group keys in MPC");
  }

  /** The function names {@link SpuCatalog} binds, as Spark pushes them (canonical name). */
  static AggKind secureKind(String canonicalName) {
    if (canonicalName == null || !canonicalName.startsWith(SpuCatalog.CANONICAL_PREFIX)) return null;
    String n = canonicalName.substring(SpuCatalog.CANONICAL_PREFIX.length());
    for (AggKind k : AggKind.values()) {
      if (k != AggKind.COUNT_STAR && k.sqlName().equals(n)) return k;
    }
    return null;
  }

  AggCall aggregate(AggregateFunc f, String alias) throws Refusal {
    if (f instanceof CountStar) return new AggCall(AggKind.COUNT_STAR, null, alias);
    AggKind kind;
    Expression input;
    boolean distinct;
    if (f instanceof Sum s) {
      kind = AggKind.SUM; input = s.column(); distinct = s.isDistinct();
    } else if (f instanceof Count c) {
      kind = AggKind.COUNT; input = c.column(); distinct = c.isDistinct();
    } else if (f instanceof Avg a) {
      kind = AggKind.AVG; input = a.column(); distinct = a.isDistinct();
    } else if (f instanceof Min m) {
      kind = AggKind.MIN; input = m.column(); distinct = false;
    } else if (f instanceof Max m) {
      kind = AggKind.MAX; input = m.column(); distinct = false;
    } else if (f instanceof GeneralAggregateFunc g) {
      kind = switch (g.name()) {
        case "VAR_SAMP" -> AggKind.VAR_SAMP;
        case "STDDEV_SAMP" -> AggKind.STDDEV_SAMP;
        default -> null;
      };
      if (kind == null || g.children().length != 1) {
        throw refuse(g, "the aggregate " + describe(g) + " has no secure equivalent");
      }
      input = g.children()[0]; distinct = g.isDistinct();
    } else if (f instanceof UserDefinedAggregateFunc u) {
      kind = secureKind(u.canonicalName());
      if (kind == null) throw refuse(u, "the aggregate " + describe(u) + " is not a spu secure function");
      if (u.children().length != 1) throw refuse(u, kind.sqlName() + " takes one argument");
      input = u.children()[0]; distinct = u.isDistinct();
    } else {
      throw refuse(f, "the aggregate " + describe(f) + " has no secure equivalent");
    }
    if (distinct) {
      throw refuse(f, "DISTINCT aggregates are not supported in MPC (" + describe(f) + " would need the distinct values of its input)");
    }
    if (kind == AggKind.COUNT && input instanceof Literal<?> l) {
      // count(1): Spark's spelling of count(*); count(NULL) counts nothing, refuse the oddity.
      if (l.value() == null) throw refuse(f, "counting a NULL constant");
      return new AggCall(AggKind.COUNT_STAR, null, alias);
    }
    return new AggCall(kind, expr(input), alias);
  }

  private Refusal refuse(Expression e, String reason) {
    return new Refusal(columnsOf(e), reason);
  }

  /** The column names an expression reads, in the order they appear. */
  static List<String> columnsOf(Expression e) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    collect(e, out);
    return List.copyOf(out);
  }

  private static void collect(Expression e, Set<String> out) {
    if (e instanceof NamedReference r) out.add(String.join(".", r.fieldNames()));
    for (Expression c : e.children()) collect(c, out);
  }

  /** Spark's SQL-like rendering of a connector expression (column names and query constants only). */
  static String describe(Expression e) {
    return e.toString();
  }
}

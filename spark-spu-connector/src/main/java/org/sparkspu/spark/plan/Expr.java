package org.sparkspu.spark.plan;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * A scalar expression over the columns of one table: the language of secure filters and aggregate
 * inputs, shared by both layouts. The horizontal layout renders it back to Spark SQL ({@link #sql()})
 * and lets each party evaluate it on its own rows; the secret layout compiles it to an MPC program.
 * Literals carry Spark's external Java value (Integer, Long, Double, BigDecimal, String, LocalDate,
 * Boolean, or null) and its Spark type. Values of literals are query constants (public), never data.
 */
public sealed interface Expr extends Serializable
    permits Expr.Col, Expr.Lit, Expr.Arith, Expr.Cmp, Expr.And, Expr.Or, Expr.Not, Expr.IsNull, Expr.In, Expr.CaseWhen {

  /** Spark SQL text of this expression (column names back-quoted, literals typed). */
  String sql();

  /** The names of the columns this expression reads. */
  default List<String> columns() {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    collect(this, out);
    return List.copyOf(out);
  }

  private static void collect(Expr e, java.util.Set<String> out) {
    if (e instanceof Col c) out.add(c.name());
    for (Expr child : e.children()) collect(child, out);
  }

  /** The direct sub-expressions, in SQL order (IN's constants are not sub-expressions). */
  default List<Expr> children() {
    if (this instanceof Arith a) return List.of(a.left(), a.right());
    if (this instanceof Cmp c) return List.of(c.left(), c.right());
    if (this instanceof And a) return List.of(a.left(), a.right());
    if (this instanceof Or o) return List.of(o.left(), o.right());
    if (this instanceof Not n) return List.of(n.child());
    if (this instanceof IsNull n) return List.of(n.child());
    if (this instanceof In i) return List.of(i.child());
    if (this instanceof CaseWhen w) {
      java.util.List<Expr> out = new java.util.ArrayList<>();
      for (int i = 0; i < w.conditions().size(); i++) {
        out.add(w.conditions().get(i));
        out.add(w.values().get(i));
      }
      if (w.otherwise() != null) out.add(w.otherwise());
      return out;
    }
    return List.of(); // Col, Lit
  }

  /** A column of the table. */
  record Col(String name) implements Expr {
    public String sql() {
      return "`" + name.replace("`", "``") + "`";
    }
  }

  /** A constant with its Spark type. */
  record Lit(Object value, DataType type) implements Expr {
    public static Lit of(long v) {
      return new Lit(v, DataTypes.LongType);
    }

    public static Lit of(int v) {
      return new Lit(v, DataTypes.IntegerType);
    }

    public static Lit of(double v) {
      return new Lit(v, DataTypes.DoubleType);
    }

    public static Lit of(BigDecimal v) {
      return new Lit(v, DataTypes.createDecimalType(Math.max(v.precision(), v.scale()), Math.max(v.scale(), 0)));
    }

    public static Lit of(String v) {
      return new Lit(v, DataTypes.StringType);
    }

    public static Lit of(LocalDate v) {
      return new Lit(v, DataTypes.DateType);
    }

    public String sql() {
      if (value == null) return "CAST(NULL AS " + type.sql() + ")";
      if (type instanceof DecimalType d) return "CAST('" + ((BigDecimal) value).toPlainString() + "' AS " + d.sql() + ")";
      if (type.equals(DataTypes.StringType)) return "'" + value.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
      if (type.equals(DataTypes.DateType)) return "DATE '" + value + "'";
      if (type.equals(DataTypes.LongType)) return value + "L";
      if (type.equals(DataTypes.DoubleType)) return "CAST('" + value + "' AS DOUBLE)";
      return "CAST(" + value + " AS " + type.sql() + ")";
    }
  }

  /** Arithmetic: op is one of + - *. */
  record Arith(String op, Expr left, Expr right) implements Expr {
    public Arith {
      if (!List.of("+", "-", "*").contains(op)) throw new IllegalArgumentException("unsupported arithmetic operator " + op);
    }

    public String sql() {
      return "(" + left.sql() + " " + op + " " + right.sql() + ")";
    }
  }

  /** Comparison: op is one of < <= > >= = <>. */
  record Cmp(String op, Expr left, Expr right) implements Expr {
    public Cmp {
      if (!List.of("<", "<=", ">", ">=", "=", "<>").contains(op)) throw new IllegalArgumentException("unsupported comparison " + op);
    }

    public String sql() {
      return "(" + left.sql() + " " + op + " " + right.sql() + ")";
    }
  }

  record And(Expr left, Expr right) implements Expr {
    public String sql() {
      return "(" + left.sql() + " AND " + right.sql() + ")";
    }
  }

  record Or(Expr left, Expr right) implements Expr {
    public String sql() {
      return "(" + left.sql() + " OR " + right.sql() + ")";
    }
  }

  record Not(Expr child) implements Expr {
    public String sql() {
      return "(NOT " + child.sql() + ")";
    }
  }

  /** IS NULL, or IS NOT NULL when {@code negated}. */
  record IsNull(Expr child, boolean negated) implements Expr {
    public String sql() {
      return "(" + child.sql() + (negated ? " IS NOT NULL)" : " IS NULL)");
    }
  }

  /** child IN (values...), values all literals. */
  record In(Expr child, List<Lit> values) implements Expr {
    public In {
      values = List.copyOf(values);
    }

    public String sql() {
      return "(" + child.sql() + " IN (" + values.stream().map(Lit::sql).collect(Collectors.joining(", ")) + "))";
    }
  }

  /**
   * CASE WHEN c1 THEN v1 [WHEN c2 THEN v2 ...] [ELSE otherwise] END: the value of the first branch
   * whose condition is TRUE (FALSE and NULL conditions fall through), else {@code otherwise}
   * (null: SQL NULL). The usual way to count or sum under a condition inside one aggregate.
   */
  record CaseWhen(List<Expr> conditions, List<Expr> values, Expr otherwise) implements Expr {
    public CaseWhen {
      conditions = List.copyOf(conditions);
      values = List.copyOf(values);
      if (conditions.isEmpty() || conditions.size() != values.size()) {
        throw new IllegalArgumentException("CASE needs one THEN value per WHEN condition, and at least one");
      }
    }

    public String sql() {
      StringBuilder s = new StringBuilder("CASE");
      for (int i = 0; i < conditions.size(); i++) {
        s.append(" WHEN ").append(conditions.get(i).sql()).append(" THEN ").append(values.get(i).sql());
      }
      if (otherwise != null) s.append(" ELSE ").append(otherwise.sql());
      return s.append(" END").toString();
    }
  }
}

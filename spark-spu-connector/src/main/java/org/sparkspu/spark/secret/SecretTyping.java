package org.sparkspu.spark.secret;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.sparkspu.arrow.ColumnEncoding;
import org.sparkspu.arrow.LogicalType;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.arrow.SecretTableSchema;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * What the secret layout can compute on an expression, and how its values sit in the ring: exact
 * integers at a decimal scale (ints, dates, timestamps, booleans, decimals of up to 18 digits),
 * fixed point (floats, doubles, wide decimals), or keyed hashes (strings: equality only). Refusals
 * are {@link SpuQueryException}s naming the column and the reason, never a value.
 */
final class SecretTyping implements Serializable {
  /** The kind of a value expression. */
  enum Kind { INT, FXP, HASH, STRING_LIT, NULL_LIT }

  /** Kind, decimal scale (INT only), whether it may be NULL, and the column it reads (for messages). */
  record SType(Kind kind, int scale, boolean nullable, String column) implements Serializable {}

  private final Map<String, SecretColumn> columns = new java.util.LinkedHashMap<>();
  private final java.util.Set<String> domains;

  SecretTyping(SecretTableSchema schema, java.util.Set<String> publicDomainColumns) {
    for (SecretColumn c : schema.columns()) columns.put(c.name(), c);
    this.domains = java.util.Set.copyOf(publicDomainColumns);
  }

  SecretColumn column(String name) {
    SecretColumn c = columns.get(name);
    if (c == null) {
      throw new SpuQueryException(name, "column '" + name + "' is not in the secret table (columns: " + String.join(", ", columns.keySet()) + ")");
    }
    return c;
  }

  static SType of(SecretColumn c) {
    ColumnEncoding.Kind e = c.encoding().kind();
    if (e == ColumnEncoding.Kind.KEYED_HASH) return new SType(Kind.HASH, 0, c.nullable(), c.name());
    if (e == ColumnEncoding.Kind.FIXED_POINT) return new SType(Kind.FXP, 0, c.nullable(), c.name());
    if (e == ColumnEncoding.Kind.RAW_BYTES) {
      throw new SpuQueryException(c.name(), "column '" + c.name() + "' is stored as raw bytes and cannot be used in a secret query");
    }
    int scale = c.type().kind() == LogicalType.Kind.DECIMAL ? c.type().scale() : 0;
    return new SType(Kind.INT, scale, c.nullable(), c.name());
  }

  /** The kind of a literal from its Spark type. */
  static SType ofLiteral(Expr.Lit l) {
    if (l.value() == null) return new SType(Kind.NULL_LIT, 0, true, null);
    DataType t = l.type();
    if (t instanceof DecimalType d) {
      return d.precision() <= 18 ? new SType(Kind.INT, d.scale(), false, null) : new SType(Kind.FXP, 0, false, null);
    }
    if (t.equals(DataTypes.DoubleType) || t.equals(DataTypes.FloatType)) return new SType(Kind.FXP, 0, false, null);
    if (t.equals(DataTypes.StringType)) return new SType(Kind.STRING_LIT, 0, false, null);
    if (t.equals(DataTypes.BinaryType)) {
      throw new SpuQueryException("binary literals cannot be used in a secret query");
    }
    return new SType(Kind.INT, 0, false, null); // integers, dates, timestamps, booleans
  }

  /** Type of a value expression (column, literal, arithmetic), or a refusal. */
  SType typeOf(Expr e) {
    if (e instanceof Expr.Col c) return of(column(c.name()));
    if (e instanceof Expr.Lit l) return ofLiteral(l);
    if (e instanceof Expr.Arith a) {
      SType l = typeOf(a.left()), r = typeOf(a.right());
      for (SType s : new SType[] {l, r}) {
        if (s.kind() == Kind.HASH) {
          throw new SpuQueryException(s.column(), "column '" + s.column() + "' is a STRING stored as keyed hashes: no arithmetic ("
              + a.op() + ") is possible on it in the secret layout; only = / <> / IN against literals and GROUP BY");
        }
        if (s.kind() == Kind.STRING_LIT) throw new SpuQueryException(nameOf(a, l, r), "string literals cannot take part in arithmetic (" + a.sql() + ")");
      }
      boolean nullable = l.nullable() || r.nullable();
      if (l.kind() == Kind.NULL_LIT || r.kind() == Kind.NULL_LIT) return new SType(Kind.NULL_LIT, 0, true, nameOf(a, l, r));
      if (l.kind() == Kind.FXP || r.kind() == Kind.FXP) return new SType(Kind.FXP, 0, nullable, nameOf(a, l, r));
      int scale = a.op().equals("*") ? l.scale() + r.scale() : Math.max(l.scale(), r.scale());
      if (scale > 18) {
        throw new SpuQueryException(nameOf(a, l, r), "the exact result of " + a.sql() + " has " + scale + " decimal places: more than"
            + " 18 do not fit the ring; cast an operand to DOUBLE");
      }
      return new SType(Kind.INT, scale, nullable, nameOf(a, l, r));
    }
    if (e instanceof Expr.CaseWhen w) return caseWhen(w);
    throw new SpuQueryException(firstColumn(e), "a predicate (" + e.sql() + ") is not a value: use it in WHERE, not as an aggregate input");
  }

  /** CASE WHEN: conditions are predicates; the results numbers (the widest kind and scale of the branches). */
  private SType caseWhen(Expr.CaseWhen w) {
    for (Expr c : w.conditions()) checkPredicate(c);
    java.util.List<Expr> results = new java.util.ArrayList<>(w.values());
    if (w.otherwise() != null) results.add(w.otherwise());
    boolean nullable = w.otherwise() == null, fxp = false, allNull = true;
    int scale = 0;
    String col = firstColumn(w);
    for (Expr r : results) {
      SType s = typeOf(r);
      if (s.kind() == Kind.HASH || s.kind() == Kind.STRING_LIT) {
        throw new SpuQueryException(s.column() != null ? s.column() : col, "CASE ... THEN " + r.sql() + ": only numeric results are"
            + " possible in the secret layout (strings are stored as keyed hashes)");
      }
      nullable |= s.nullable();
      if (s.kind() == Kind.NULL_LIT) continue;
      allNull = false;
      fxp |= s.kind() == Kind.FXP;
      scale = Math.max(scale, s.scale());
    }
    if (allNull) return new SType(Kind.NULL_LIT, 0, true, col);
    return new SType(fxp ? Kind.FXP : Kind.INT, fxp ? 0 : scale, nullable, col);
  }

  private static String nameOf(Expr e, SType l, SType r) {
    if (l.column() != null) return l.column();
    if (r.column() != null) return r.column();
    return firstColumn(e);
  }

  static String firstColumn(Expr e) {
    var cols = e.columns();
    return cols.isEmpty() ? null : cols.get(0);
  }

  /** Checks a WHERE predicate. */
  void checkPredicate(Expr e) {
    if (e instanceof Expr.And a) {
      checkPredicate(a.left());
      checkPredicate(a.right());
    } else if (e instanceof Expr.Or o) {
      checkPredicate(o.left());
      checkPredicate(o.right());
    } else if (e instanceof Expr.Not n) {
      checkPredicate(n.child());
    } else if (e instanceof Expr.IsNull n) {
      typeOfAny(n.child());
    } else if (e instanceof Expr.Cmp c) {
      checkComparison(c.op(), c.left(), c.right(), c.sql());
    } else if (e instanceof Expr.In in) {
      for (Expr.Lit l : in.values()) checkComparison("=", in.child(), l, in.sql());
    } else if (e instanceof Expr.Col c) {
      SecretColumn col = column(c.name());
      if (col.type().kind() != LogicalType.Kind.BOOLEAN) {
        throw new SpuQueryException(c.name(), "column '" + c.name() + "' is " + col.type() + ", not BOOLEAN: it cannot be a predicate by itself");
      }
    } else if (e instanceof Expr.Lit l) {
      if (l.value() != null && !(l.value() instanceof Boolean)) throw new SpuQueryException("the literal predicate " + l.sql() + " is not BOOLEAN");
    } else {
      throw new SpuQueryException(firstColumn(e), "an arithmetic expression (" + e.sql() + ") is not a predicate");
    }
  }

  /** A value or hashed column (IS NULL accepts both). */
  private SType typeOfAny(Expr e) {
    if (e instanceof Expr.Col c) return of(column(c.name()));
    return typeOf(e);
  }

  private void checkComparison(String op, Expr left, Expr right, String sql) {
    SType l = typeOfAny(left), r = typeOfAny(right);
    if (l.kind() == Kind.NULL_LIT || r.kind() == Kind.NULL_LIT) return; // unknown, never true
    boolean ls = l.kind() == Kind.HASH || l.kind() == Kind.STRING_LIT, rs = r.kind() == Kind.HASH || r.kind() == Kind.STRING_LIT;
    if (!ls && !rs) return; // numbers, dates, ...
    if (ls && rs) {
      if (l.kind() == Kind.STRING_LIT && r.kind() == Kind.STRING_LIT) return; // a constant
      String col = (l.kind() == Kind.HASH ? l : r).column();
      if (!op.equals("=") && !op.equals("<>")) {
        throw new SpuQueryException(col, "column '" + col + "' is a STRING stored as keyed hashes: only = / <> / IN against literals"
            + " and GROUP BY are possible on it in the secret layout, not " + op + " (" + sql + ")");
      }
      return; // equal strings hash equally under the table's one key
    }
    SType str = ls ? l : r, num = ls ? r : l;
    Expr numExpr = ls ? right : left;
    if (str.kind() == Kind.STRING_LIT && numExpr instanceof Expr.Col c && column(c.name()).type().kind() == LogicalType.Kind.DATE) {
      return; // DATE column against a date written as a string
    }
    String col = str.kind() == Kind.HASH ? str.column() : num.column();
    throw new SpuQueryException(col, "column '" + col + "': a string cannot be compared with a number (" + sql + ")");
  }

  /** Checks an aggregate input for the aggregate kind. */
  void checkAggregateInput(org.sparkspu.spark.plan.AggCall call) {
    if (call.input() == null) return;
    SType t = typeOfAny(call.input());
    if (t.kind() == Kind.STRING_LIT || t.kind() == Kind.NULL_LIT) {
      throw new SpuQueryException(t.column(), call.kind().sqlName() + " of a literal (" + call.input().sql() + ") is not supported");
    }
    org.sparkspu.spark.plan.AggKind k = call.kind();
    boolean numeric = k != org.sparkspu.spark.plan.AggKind.COUNT && k != org.sparkspu.spark.plan.AggKind.MIN
        && k != org.sparkspu.spark.plan.AggKind.MAX;
    if (numeric && call.input() instanceof Expr.Col c) {
      LogicalType.Kind lk = column(c.name()).type().kind();
      if (lk == LogicalType.Kind.DATE || lk == LogicalType.Kind.TIMESTAMP || lk == LogicalType.Kind.TIMESTAMP_NTZ
          || lk == LogicalType.Kind.BOOLEAN) {
        throw new SpuQueryException(c.name(), k.sqlName() + " needs a numeric input; column '" + c.name() + "' is " + column(c.name()).type());
      }
    }
    if (t.kind() == Kind.HASH && call.kind() != org.sparkspu.spark.plan.AggKind.COUNT) {
      throw new SpuQueryException(t.column(), "column '" + t.column() + "' is a STRING stored as keyed hashes: "
          + call.kind().sqlName() + " needs numbers; only COUNT, = / <> / IN and GROUP BY are possible on it");
    }
  }

  /** A GROUP BY column needs a public domain. */
  void checkGroupBy(String name) {
    SecretColumn c = column(name);
    if (!domains.contains(name)) {
      throw new SpuQueryException(name, "GROUP BY column '" + name + "' has no public domain in the secret table: grouping secret rows"
          + " needs the list of its possible values; write the table with option publicDomain=" + name
          + " (this reveals the set of its distinct values, nothing else)");
    }
    if (c.encoding().kind() == ColumnEncoding.Kind.RAW_BYTES) {
      throw new SpuQueryException(name, "column '" + name + "' is stored as raw bytes and cannot be grouped by");
    }
  }

  /** An exact integer literal value for messages-free folding. */
  static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal b) return b;
    if (v instanceof Double d) return BigDecimal.valueOf(d);
    if (v instanceof Float f) return new BigDecimal(Float.toString(f));
    if (v instanceof Number n) return BigDecimal.valueOf(n.longValue());
    if (v instanceof Boolean b) return b ? BigDecimal.ONE : BigDecimal.ZERO;
    throw new IllegalArgumentException("not a number: " + v.getClass().getSimpleName());
  }
}

package org.sparkspu.spark.secret;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.arrow.SipHash24;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Tracer;
import org.sparkspu.engine.ir.Value;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.spark.exec.NumericEncoding;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.secret.SecretTyping.Kind;
import org.sparkspu.spark.store.ShareStore;

/**
 * The per-batch MPC program of a query on a secret table, traced with the engine's {@link Tracer}
 * so that the compiler merges every independent comparison, product and equality of the batch
 * into one kernel call per level (rounds = the critical path, not the number of operations).
 *
 * <p>Inputs: a public row-exists vector {@code exists} [B] (1 for the batch's rows, 0 for padding),
 * each read column's secret values {@code v:<col>} [B] and, for nullable columns, validity
 * {@code n:<col>} [B]; for each single-owner predicate its owner's private 0/1 mask {@code lm:<id>}
 * [B] ({@link LocalPredicates}); for MIN/MAX the running accumulators {@code acc:min:<i>}, {@code acc:max:<i>}
 * [G]. Outputs (all secret): {@code sumsI} [G x SI] and {@code sumsF} [G x SF] (integer and
 * fixed-point per-group sums, see {@link Layout}) and {@code min:<i>} / {@code max:<i>} [G].
 *
 * <p>The computation:
 * <ol>
 *   <li>filter mask m = exists * T(filter) with SQL's three-valued logic: a comparison with a NULL
 *       operand is unknown, WHERE keeps only TRUE; predicates are carried as (T, F) products of
 *       0/1 factors, so validities and the comparisons of an AND chain multiply in one balanced
 *       tree (depth log2 of the factors) and a column's validity enters once however often it
 *       is used; two or more order comparisons of one product run as ONE all_negative kernel
 *       (their sign bits ANDed as packed boolean shares, one bit injection: for TPC-H Q6's five
 *       comparisons about a third fewer bytes than five bit injections and four products);
 *   <li>per group g (a combination of the GROUP BY columns' public domain values) the one-hot row
 *       onehot_g = product over the columns of [col == code] (the NULL key: 1 - validity; the
 *       last non-NULL value: validity minus the others' rows, as the domain covers every value),
 *       and w_g = m * onehot_g;
 *   <li>the statistics of each distinct aggregate input e (exact integers at a decimal scale, or
 *       fixed point) as ONE secret matrix product W^T X per batch (SecureML's masked matrix
 *       product; in aby3 it sends only G x S elements): X's columns are 1 (rows), validity
 *       (count), e (sum, 0 at NULL rows), e*e (sum of squares; fixed point by mulWide);
 *   <li>MIN/MAX: select(w_g * valid, e, sentinel) then a log-depth tree of less-than + select
 *       along the rows, all groups and inputs in the same calls, the running accumulator as one
 *       more column.
 * </ol>
 * Comparisons against a literal compare (col - literal) with 0 by its sign bit (the engine's
 * less-than is msb(a - b)); decimals are compared exactly at the column's scale (a literal that is
 * not a multiple of 10^-scale is rounded up or down as the operator needs).
 */
final class BatchProgram {
  /** Sentinels of empty groups' MIN and MAX (|values| < 2^62, so differences stay below 2^63). */
  static final long MIN_SENTINEL = 1L << 62;
  static final long MAX_SENTINEL = -(1L << 62);

  /** Where each statistic sits in the outputs. Column indices into sumsI or sumsF; -1: absent. */
  static final class Layout {
    int groups;
    int intColumns;
    int fxpColumns;
    int rowsColumn; // in sumsI
    final List<InputLayout> inputs = new ArrayList<>();
  }

  /** One input's statistics: count column (-1: use the rows column), sum and sum of squares. */
  static final class InputLayout {
    NumericEncoding encoding;
    int countColumn = -1;
    int sumColumn = -1;
    boolean sumFixed;
    int squaresColumn = -1;
    boolean squaresFixed;
    boolean min;
    boolean max;
    DType dtype;
  }

  record Built(Program program, Layout layout) {}

  private final SecretPlan plan;
  private final byte[] hashKey;
  private final Tracer t;
  private final int b;
  private final Value exists;
  private final Map<String, Value> values = new LinkedHashMap<>();
  private final Map<String, Value> valids = new LinkedHashMap<>();
  private final Value one;
  private final Value zero;
  /**
   * Order comparisons by node: d with [comparison] = [d < 0], so that a product of several runs as
   * one {@link Value#allNegative} (their sign bits ANDed as packed boolean shares, one bit
   * injection) instead of bit injections and products of each.
   */
  private final IdentityHashMap<Object, Value> negForm = new IdentityHashMap<>();
  /** Single-owner predicates evaluated by their owner: the owner's private 0/1 TRUE-indicator (see {@link LocalPredicates}). */
  private final Map<Expr, Value> localMasks = new java.util.HashMap<>();
  /** GROUP BY columns one-hot encoded by their owner: the private one-hot rows, one per domain value. */
  private final Map<String, List<Value>> localOnehots = new java.util.HashMap<>();

  private BatchProgram(SecretPlan plan, byte[] hashKey) {
    this.plan = plan;
    this.hashKey = hashKey;
    this.t = new Tracer(new FixedPoint(plan.fractionBits()));
    this.b = plan.batchRows();
    Shape vec = Shape.vector(b);
    this.exists = t.input("exists", Visibility.PUBLIC, DType.INT, vec);
    for (String c : plan.readColumns()) {
      SecretColumn col = column(c);
      boolean fxp = SecretTyping.of(col).kind() == Kind.FXP;
      values.put(c, fxp ? t.secretInput("v:" + c, vec) : t.secretInts("v:" + c, vec));
      if (col.nullable()) valids.put(c, t.secretInts("n:" + c, vec));
    }
    this.one = t.constantInt(1);
    this.zero = t.constantInt(0);
    for (SecretPlan.LocalInput l : plan.locals()) {
      if (l.groupColumn() == null) {
        localMasks.putIfAbsent(l.expr(), t.privateInts(l.owner(), "lm:" + l.id(), vec));
        continue;
      }
      List<Value> rows = new ArrayList<>();
      for (int j = 0; j < l.domainSize(); j++) rows.add(t.privateInts(l.owner(), "lh:" + l.id() + ":" + j, vec));
      localOnehots.put(l.groupColumn(), rows);
    }
  }

  private SecretColumn column(String name) {
    for (SecretColumn c : plan.schema().columns()) if (c.name().equals(name)) return c;
    throw new IllegalArgumentException("column '" + name + "' is not in the plan's schema");
  }

  /** Traces the batch program of {@code plan} ({@code hashKey}: the table's string key). */
  static Built build(SecretPlan plan, byte[] hashKey) {
    BatchProgram bp = new BatchProgram(plan, hashKey);
    Layout layout = bp.trace();
    return new Built(bp.t.build(), layout);
  }

  // ---------------------------------------------------------------------------------------------
  // values

  /**
   * A value expression: its secret value (or a public constant {@code c}: BigDecimal for exact
   * numbers, Double, String; {@code isNull} for SQL NULL), kind, decimal scale, validity (null:
   * never NULL) and whether the value is 0 wherever the validity is 0.
   */
  private record Num(Value v, Kind kind, int scale, Value valid, boolean zeroAtNull, Object c, boolean isNull) {
    boolean isConst() {
      return v == null;
    }
  }

  private Num num(Expr e) {
    if (e instanceof Expr.Col col) {
      SecretTyping.SType st = SecretTyping.of(column(col.name()));
      return new Num(values.get(col.name()), st.kind(), st.scale(), valids.get(col.name()), true, null, false);
    }
    if (e instanceof Expr.Lit l) return literal(l);
    if (e instanceof Expr.Arith a) return arith(a);
    if (e instanceof Expr.CaseWhen w) return caseWhen(w);
    throw new IllegalArgumentException("not a value expression: " + e.getClass().getSimpleName());
  }

  private static final Num NULL_NUM = new Num(null, Kind.NULL_LIT, 0, null, true, null, true);

  /**
   * CASE WHEN as a chain of oblivious selections from the last branch up: r = b + t * (a - b),
   * t the 0/1 TRUE-indicator of the branch's condition (FALSE and NULL both fall through). A
   * constant branch value makes t * (a - b) a local product, so SUM(CASE WHEN p THEN 1 ELSE 0 END)
   * costs only p's comparisons.
   */
  private Num caseWhen(Expr.CaseWhen w) {
    Num acc = w.otherwise() == null ? NULL_NUM : num(w.otherwise());
    for (int i = w.conditions().size() - 1; i >= 0; i--) {
      Bits tt = pred(w.conditions().get(i), false).t();
      Num v = num(w.values().get(i));
      if (tt.zero) continue; // never TRUE
      acc = tt.factors.isEmpty() ? v : select(mat(tt), v, acc);
    }
    return acc;
  }

  /** t ? a : b for a secret 0/1 t, values and validities alike. */
  private Num select(Value tBit, Num a, Num b) {
    if (a.isNull() && b.isNull()) return NULL_NUM;
    boolean fx = a.kind() == Kind.FXP || b.kind() == Kind.FXP;
    int scale = fx ? 0 : Math.max(a.isNull() ? 0 : a.scale(), b.isNull() ? 0 : b.scale());
    Value va = a.isNull() ? null : fx ? fxp(a) : ints(a, scale);
    Value vb = b.isNull() ? null : fx ? fxp(b) : ints(b, scale);
    Value v = va == null ? not(tBit).mul(vb) : vb == null ? tBit.mul(va) : vb.add(tBit.mul(va.sub(vb)));
    Value valid = null;
    if (a.isNull() || b.isNull() || a.valid() != null || b.valid() != null) {
      Value oa = a.isNull() ? zero : a.valid() == null ? one : a.valid();
      Value ob = b.isNull() ? zero : b.valid() == null ? one : b.valid();
      valid = ob.add(tBit.mul(oa.sub(ob)));
    }
    boolean z = (a.zeroAtNull() || a.valid() == null) && (b.zeroAtNull() || b.valid() == null);
    return new Num(v, fx ? Kind.FXP : Kind.INT, scale, valid, z, null, false);
  }

  private static Num literal(Expr.Lit l) {
    SecretTyping.SType st = SecretTyping.ofLiteral(l);
    Object v = l.value();
    if (v == null) return new Num(null, Kind.NULL_LIT, 0, null, true, null, true);
    if (st.kind() == Kind.STRING_LIT) return new Num(null, Kind.STRING_LIT, 0, null, true, v.toString(), false);
    if (st.kind() == Kind.FXP) return new Num(null, Kind.FXP, 0, null, true, ((Number) v).doubleValue(), false);
    return new Num(null, Kind.INT, st.scale(), null, true, exact(v), false);
  }

  /** Exact value of an integer-like literal: numbers, dates (days), timestamps (microseconds), booleans. */
  private static BigDecimal exact(Object v) {
    if (v instanceof LocalDate d) return BigDecimal.valueOf(d.toEpochDay());
    if (v instanceof java.sql.Date d) return BigDecimal.valueOf(d.toLocalDate().toEpochDay());
    if (v instanceof Instant i) return BigDecimal.valueOf(i.getEpochSecond() * 1_000_000L + i.getNano() / 1000);
    if (v instanceof java.sql.Timestamp ts) return exact(ts.toInstant());
    if (v instanceof LocalDateTime l) return exact(l.toInstant(ZoneOffset.UTC));
    return SecretTyping.decimal(v);
  }

  private static Value product(Value a, Value b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.mul(b);
  }

  private Num arith(Expr.Arith a) {
    Num x = num(a.left()), y = num(a.right());
    if (x.isNull() || y.isNull()) return new Num(null, Kind.NULL_LIT, 0, null, true, null, true);
    if (x.isConst() && y.isConst()) return foldArith(a.op(), x, y);
    Value valid = product(x.valid(), y.valid());
    boolean fxp = x.kind() == Kind.FXP || y.kind() == Kind.FXP;
    if (a.op().equals("*")) {
      boolean z = (x.zeroAtNull() || x.valid() == null) && (y.zeroAtNull() || y.valid() == null);
      if (fxp) return new Num(fxpProduct(x, y), Kind.FXP, 0, valid, z, null, false);
      return new Num(ints(x, x.scale()).mul(ints(y, y.scale())), Kind.INT, x.scale() + y.scale(), valid, z, null, false);
    }
    boolean z = x.valid() == null && y.valid() == null;
    Value l, r;
    int scale = 0;
    if (fxp) {
      l = fxp(x);
      r = fxp(y);
    } else {
      scale = Math.max(x.scale(), y.scale());
      l = ints(x, scale);
      r = ints(y, scale);
    }
    return new Num(a.op().equals("+") ? l.add(r) : l.sub(r), fxp ? Kind.FXP : Kind.INT, scale, valid, z, null, false);
  }

  private static Num foldArith(String op, Num x, Num y) {
    if (x.kind() == Kind.FXP || y.kind() == Kind.FXP) {
      double a = ((Number) x.c()).doubleValue(), b2 = ((Number) y.c()).doubleValue();
      double r = op.equals("+") ? a + b2 : op.equals("-") ? a - b2 : a * b2;
      return new Num(null, Kind.FXP, 0, null, true, r, false);
    }
    BigDecimal a = (BigDecimal) x.c(), b2 = (BigDecimal) y.c();
    BigDecimal r = op.equals("+") ? a.add(b2) : op.equals("-") ? a.subtract(b2) : a.multiply(b2);
    int scale = op.equals("*") ? x.scale() + y.scale() : Math.max(x.scale(), y.scale());
    return new Num(null, Kind.INT, scale, null, true, r, false);
  }

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
  }

  /** An INT value at a decimal scale >= its own (scaling by a public power of ten: local). */
  private Value ints(Num n, int scale) {
    if (n.isConst()) return t.constantInt(exactAt((BigDecimal) n.c(), scale));
    int d = scale - n.scale();
    return d == 0 ? n.v() : n.v().mul(t.constantInt(POW10[d]));
  }

  private static long exactAt(BigDecimal v, int scale) {
    return clamp(v.movePointRight(scale).setScale(0, RoundingMode.UNNECESSARY));
  }

  /** An integer constant inside the ring's safe range: beyond ±(2^62 - 1) every comparison is decided anyway. */
  private static long clamp(BigDecimal v) {
    BigDecimal lim = BigDecimal.valueOf((1L << 62) - 1);
    if (v.compareTo(lim) > 0) return (1L << 62) - 1;
    if (v.compareTo(lim.negate()) < 0) return -((1L << 62) - 1);
    return v.longValueExact();
  }

  /**
   * A product with a fixed-point result: by a secret integer (scale 0) factor directly, without
   * truncation; else {@link Value#mulWide}, since a plain fixed-point product of secrets goes
   * far wrong with probability about |x y| 2^(2f) / 2^63 (already 1 in 50 for x = y = 2500).
   */
  private Value fxpProduct(Num x, Num y) {
    if (!x.isConst() && x.kind() == Kind.INT && x.scale() == 0) return x.v().mul(fxp(y));
    if (!y.isConst() && y.kind() == Kind.INT && y.scale() == 0) return fxp(x).mul(y.v());
    return fxp(x).mulWide(fxp(y));
  }

  /**
   * A value as fixed point: integers exactly (x 2^f); decimals by the public factor 10^-scale,
   * whose f-bit encoding is off by at most 10^scale / 2^(f+1) relative (1.9e-4 for scale 2 at
   * f = 18): the price of mixing DECIMAL and DOUBLE in arithmetic. (Comparisons avoid it.)
   */
  private Value fxp(Num n) {
    if (n.isConst()) return t.constant(n.kind() == Kind.FXP ? (Double) n.c() : ((BigDecimal) n.c()).doubleValue());
    if (n.kind() == Kind.FXP) return n.v();
    if (n.scale() == 0) return n.v().mul(t.constant(1.0)); // INT x fixed-point 1: the same number, now fixed point
    return n.v().mul(t.constant(Math.pow(10, -n.scale())));
  }

  // ---------------------------------------------------------------------------------------------
  // predicates as (T, F) products of 0/1 factors

  /** A product of 0/1 factors; {@code zero}: the constant 0; no factors: the constant 1. */
  private static final class Bits {
    final boolean zero;
    final List<Value> factors;

    Bits(boolean zero, List<Value> factors) {
      this.zero = zero;
      this.factors = zero ? List.of() : dedupe(factors);
    }

    static Bits of(Value... fs) {
      List<Value> l = new ArrayList<>();
      for (Value f : fs) if (f != null) l.add(f);
      return new Bits(false, l);
    }

    static final Bits ONE = new Bits(false, List.of());
    static final Bits ZERO = new Bits(true, List.of());

    Bits and(Bits o) {
      if (zero || o.zero) return ZERO;
      List<Value> l = new ArrayList<>(factors);
      l.addAll(o.factors);
      return new Bits(false, l);
    }

    /** 0/1 factors are idempotent (x * x = x): the same node enters once. */
    private static List<Value> dedupe(List<Value> fs) {
      IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
      List<Value> out = new ArrayList<>();
      for (Value v : fs) if (seen.put(v.node(), Boolean.TRUE) == null) out.add(v);
      return out;
    }
  }

  /** T: where the predicate is TRUE; F: where FALSE (null when not needed). Unknown = neither. */
  private record Pred(Bits t, Bits f) {}

  /** The balanced product tree of the factors (depth ceil(log2 k)), order comparisons fused into one. */
  private Value mat(Bits bits) {
    if (bits.zero) return zero;
    if (bits.factors.isEmpty()) return one;
    List<Value> level = new ArrayList<>(), ds = new ArrayList<>(), cmps = new ArrayList<>();
    for (Value f : bits.factors) {
      Value d = negForm.get(f.node());
      if (d == null) {
        level.add(f);
      } else {
        ds.add(d);
        cmps.add(f);
      }
    }
    if (ds.size() >= 2) level.add(ds.get(0).allNegative(ds.subList(1, ds.size()).toArray(new Value[0])));
    else level.addAll(cmps);
    while (level.size() > 1) {
      List<Value> next = new ArrayList<>();
      for (int i = 0; i + 1 < level.size(); i += 2) next.add(level.get(i).mul(level.get(i + 1)));
      if (level.size() % 2 == 1) next.add(level.get(level.size() - 1));
      level = next;
    }
    return level.get(0);
  }

  private Value not(Value bit) {
    return one.sub(bit);
  }

  private Pred pred(Expr e, boolean needF) {
    Pred local = localPred(e, needF);
    if (local != null) return local;
    if (e instanceof Expr.And a) {
      Pred l = pred(a.left(), needF), r = pred(a.right(), needF);
      return new Pred(l.t().and(r.t()), needF ? or(l.f(), r.f()) : null); // FALSE if either is FALSE
    }
    if (e instanceof Expr.Or o) {
      Pred l = pred(o.left(), true), r = pred(o.right(), true);
      return new Pred(or(l.t(), r.t()), l.f().and(r.f()));
    }
    if (e instanceof Expr.Not n) {
      Pred c = pred(n.child(), true);
      return new Pred(c.f(), c.t());
    }
    if (e instanceof Expr.IsNull n) {
      Num x = num(n.child());
      Value valid = x.valid();
      Pred isNull = valid == null ? new Pred(Bits.ZERO, Bits.ONE) : new Pred(Bits.of(not(valid)), Bits.of(valid));
      if (x.isNull()) isNull = new Pred(Bits.ONE, Bits.ZERO);
      return n.negated() ? new Pred(isNull.f(), isNull.t()) : isNull;
    }
    if (e instanceof Expr.Cmp c) return compare(c.op(), num(c.left()), num(c.right()));
    if (e instanceof Expr.In in) return in(in);
    if (e instanceof Expr.Col col) {
      Value v = values.get(col.name());
      return new Pred(Bits.of(v), Bits.of(not(v), valids.get(col.name()))); // booleans hold 0 at NULL rows
    }
    if (e instanceof Expr.Lit l) {
      if (l.value() == null) return new Pred(Bits.ZERO, Bits.ZERO);
      return Boolean.TRUE.equals(l.value()) ? new Pred(Bits.ONE, Bits.ZERO) : new Pred(Bits.ZERO, Bits.ONE);
    }
    throw new IllegalArgumentException("not a predicate: " + e.getClass().getSimpleName());
  }

  /** A predicate its owner evaluated locally: the private mask is T (padding rows hold 0); only where F is not needed. */
  private Pred localPred(Expr e, boolean needF) {
    Value m = needF ? null : localMasks.get(e);
    return m == null ? null : new Pred(Bits.of(m), null);
  }

  /** a OR b = a + b - a*b, with TRUE/FALSE constants folded so that they cost nothing. */
  private Bits or(Bits a, Bits b) {
    if (a.zero) return b;
    if (b.zero) return a;
    if (a.factors.isEmpty() || b.factors.isEmpty()) return Bits.ONE;
    Value x = mat(a), y = mat(b);
    return Bits.of(x.add(y).sub(x.mul(y)));
  }

  /** A comparison: TRUE = cmp * validities, FALSE = (1 - cmp) * validities. */
  private Pred compare(String op, Num x, Num y) {
    if (x.isNull() || y.isNull()) return new Pred(Bits.ZERO, Bits.ZERO);
    if (x.isConst() && !y.isConst()) return compare(flip(op), y, x);
    if (x.isConst()) {
      boolean r = constCompare(op, x, y);
      return r ? new Pred(Bits.ONE, Bits.ZERO) : new Pred(Bits.ZERO, Bits.ONE);
    }
    Value cmp;
    if (y.isConst()) {
      cmp = compareWithLiteral(op, x, y);
    } else {
      Value l, r;
      if (x.kind() == Kind.HASH || y.kind() == Kind.HASH) {
        l = x.v();
        r = y.v();
      } else if (x.kind() == Kind.FXP && y.kind() == Kind.FXP) {
        l = x.v();
        r = y.v();
      } else if (x.kind() == Kind.FXP || y.kind() == Kind.FXP) {
        // decimal u / 10^s against fixed point X / 2^f: compare u * 2^f with X * 10^s, both exact
        Num d = x.kind() == Kind.FXP ? y : x, f = x.kind() == Kind.FXP ? x : y;
        Value dv = d.v().mul(t.constant(1.0)), fv = d.scale() == 0 ? f.v() : f.v().mul(t.constantInt(POW10[d.scale()]));
        l = x == d ? dv : fv;
        r = x == d ? fv : dv;
      } else {
        int s = Math.max(x.scale(), y.scale());
        l = ints(x, s);
        r = ints(y, s);
      }
      cmp = cmpOp(op, l, r);
    }
    if (cmp == null) return new Pred(Bits.ZERO, Bits.of(x.valid(), y.valid())); // never true
    if (cmp == one) return new Pred(Bits.of(x.valid(), y.valid()), Bits.ZERO); // always true where known
    return new Pred(Bits.of(cmp, x.valid(), y.valid()), Bits.of(not(cmp), x.valid(), y.valid()));
  }

  private static String flip(String op) {
    return switch (op) {
      case "<" -> ">";
      case "<=" -> ">=";
      case ">" -> "<";
      case ">=" -> "<=";
      default -> op;
    };
  }

  private Value cmpOp(String op, Value l, Value r) {
    Value c = cmpOp0(op, l, r);
    Value d = switch (op) { // integers and fixed-point encodings alike: x <= y iff x - y - 1 < 0 on the ring
      case "<" -> l.sub(r);
      case ">" -> r.sub(l);
      case "<=" -> minusUnit(l.sub(r));
      case ">=" -> minusUnit(r.sub(l));
      default -> null;
    };
    if (d != null && c.node().type().vis().isSecret()) negForm.put(c.node(), d);
    return c;
  }

  /** x - 1 in x's ring encoding (fixed point: 2^-f, which encodes as 1). */
  private Value minusUnit(Value x) {
    return x.sub(x.dtype() == DType.FXP ? t.constant(Math.scalb(1.0, -plan.fractionBits())) : t.constantInt(1));
  }

  private Value cmpOp0(String op, Value l, Value r) {
    return switch (op) {
      case "<" -> l.less(r);
      case "<=" -> l.lessEqual(r);
      case ">" -> l.greater(r);
      case ">=" -> l.greaterEqual(r);
      case "=" -> l.equal(r);
      case "<>" -> l.notEqual(r);
      default -> throw new IllegalArgumentException("comparison " + op);
    };
  }

  /**
   * x op literal with x secret. Exact decimals: the literal at x's scale; a literal between two
   * representable values decides = / <> outright and rounds for the order comparisons. Returns
   * null for "never true", {@link #one} for "always true" (where x is not NULL).
   */
  private Value compareWithLiteral(String op, Num x, Num lit) {
    if (x.kind() == Kind.HASH) {
      return cmpOp(op, x.v(), t.constantInt(stringCode(lit)));
    }
    if (x.kind() == Kind.FXP) return cmpOp(op, x.v(), fxp(lit));
    BigDecimal v = litExact(lit).movePointRight(x.scale());
    BigDecimal floor = v.setScale(0, RoundingMode.FLOOR), ceil = v.setScale(0, RoundingMode.CEILING);
    boolean integral = floor.compareTo(ceil) == 0;
    if (!integral) {
      switch (op) {
        case "=": return null;
        case "<>": return one;
        case "<": return cmpOp("<", x.v(), t.constantInt(clamp(ceil)));
        case "<=": return cmpOp("<=", x.v(), t.constantInt(clamp(floor)));
        case ">": return cmpOp(">", x.v(), t.constantInt(clamp(floor)));
        case ">=": return cmpOp(">=", x.v(), t.constantInt(clamp(ceil)));
        default: throw new IllegalArgumentException("comparison " + op);
      }
    }
    return cmpOp(op, x.v(), t.constantInt(clamp(floor)));
  }

  /** A literal's exact value for comparison with an integer-encoded column (dates written as strings too). */
  private static BigDecimal litExact(Num lit) {
    if (lit.kind() == Kind.STRING_LIT) return BigDecimal.valueOf(LocalDate.parse(lit.c().toString().trim()).toEpochDay());
    if (lit.c() instanceof Double d) return BigDecimal.valueOf(d);
    return (BigDecimal) lit.c();
  }

  private static boolean constCompare(String op, Num x, Num y) {
    int c;
    if (x.kind() == Kind.STRING_LIT || y.kind() == Kind.STRING_LIT) {
      c = x.c().toString().compareTo(y.c().toString());
    } else {
      c = litExact(x).compareTo(litExact(y));
    }
    return switch (op) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      case "=" -> c == 0;
      default -> c != 0;
    };
  }

  /** x IN (literals): the equalities of distinct codes are exclusive, so their sum is the 0/1 OR. */
  private Pred in(Expr.In in) {
    Num x = num(in.child());
    if (x.isNull()) return new Pred(Bits.ZERO, Bits.ZERO);
    boolean listHasNull = false;
    Value any = null;
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (Expr.Lit l : in.values()) {
      Num lit = literal(l);
      if (lit.isNull()) {
        listHasNull = true;
        continue;
      }
      Value eq;
      if (x.isConst()) {
        eq = constCompare("=", x, lit) ? one : null;
      } else {
        Long code = code(x, lit);
        if (code == null || !seen.add(code)) continue; // not representable at x's scale: never equal
        eq = x.kind() == Kind.FXP ? x.v().equal(fxp(lit)) : x.v().equal(t.constantInt(code));
      }
      if (eq == null) continue;
      any = any == null ? eq : any.add(eq);
    }
    Bits tt = any == null ? Bits.ZERO : any == one ? Bits.of(x.valid()) : Bits.of(any, x.valid());
    Bits ff = listHasNull ? Bits.ZERO : any == null ? Bits.of(x.valid()) : any == one ? Bits.ZERO : Bits.of(not(any), x.valid());
    return new Pred(tt, ff);
  }

  /** A string literal's code in a hashed column (the store's 62-bit keyed hash). */
  private long stringCode(Num lit) {
    return ShareStore.stringCode(new SipHash24(hashKey).hash(lit.c().toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The ring code a literal has in x's encoding, or null when no value of x can equal it. */
  private Long code(Num x, Num lit) {
    if (x.kind() == Kind.HASH) return stringCode(lit);
    if (x.kind() == Kind.FXP) return new FixedPoint(plan.fractionBits()).encode(((Number) lit.c()).doubleValue());
    BigDecimal v = litExact(lit).movePointRight(x.scale());
    if (v.stripTrailingZeros().scale() > 0) return null;
    return clamp(v.setScale(0, RoundingMode.UNNECESSARY));
  }

  // ---------------------------------------------------------------------------------------------
  // the program

  private Layout trace() {
    Layout lay = new Layout();
    // filter mask m (public when there is no filter: then it is just the row-exists vector)
    Value m = exists;
    if (plan.query().filter() != null) {
      Bits tt = pred(plan.query().filter(), false).t();
      m = tt.zero ? exists.mul(zero) : tt.factors.isEmpty() ? exists : mat(tt).mul(exists);
    }
    int g = plan.groupCount();
    lay.groups = g;
    Value h = onehot(); // [G x B] or null without GROUP BY

    // X columns
    List<Value> xi = new ArrayList<>(), xf = new ArrayList<>();
    xi.add(exists);
    lay.rowsColumn = 0;
    List<Num> nums = new ArrayList<>();
    int secretColumns = 0;
    for (SecretPlan.InputSpec in : plan.inputs()) {
      Num e = num(in.expr());
      nums.add(e);
      InputLayout il = new InputLayout();
      boolean fx = e.kind() == Kind.FXP;
      il.encoding = fx ? NumericEncoding.fixed(plan.fractionBits()) : NumericEncoding.integer(e.scale());
      il.dtype = fx ? DType.FXP : DType.INT;
      if (e.valid() != null) {
        il.countColumn = xi.size();
        xi.add(e.valid());
        secretColumns++;
      }
      if (e.kind() != Kind.HASH && (in.sum() || in.sumSquares())) {
        Value ez = e.zeroAtNull() || e.valid() == null ? e.v() : e.v().mul(e.valid());
        if (in.sum()) {
          il.sumFixed = fx;
          il.sumColumn = fx ? xf.size() : xi.size();
          (fx ? xf : xi).add(ez);
          secretColumns++;
        }
        if (in.sumSquares()) {
          il.squaresFixed = fx;
          il.squaresColumn = fx ? xf.size() : xi.size();
          // fixed point: x^2 2^(2f) is far too large for probabilistic truncation, see fxpProduct
          (fx ? xf : xi).add(fx ? ez.mulWide(ez) : ez.mul(ez));
          secretColumns++;
        }
      }
      il.min = in.min();
      il.max = in.max();
      lay.inputs.add(il);
    }
    lay.intColumns = xi.size();
    lay.fxpColumns = xf.size();
    boolean minmax = lay.inputs.stream().anyMatch(x -> x.min || x.max);

    // W^T X: weights W = onehot * m [G x B] (or m [1 x B]); when there are more groups than
    // secret statistics and no MIN/MAX, mask X by m instead (fewer products) and use the one-hot.
    Value w;
    boolean maskX = h != null && !minmax && secretColumns < g;
    if (h == null) w = m.reshape(1, b);
    else w = maskX ? h : h.mul(m);
    t.output("sumsI", w.matmul(matrix(xi, maskX ? m : null)));
    if (!xf.isEmpty()) t.output("sumsF", w.matmul(matrix(xf, maskX ? m : null)));

    // MIN / MAX trees, all groups and inputs in the same calls
    Value wg = h == null ? m : w; // [B] or [G x B]
    if (!minmax) return lay;
    // Sentinels as public inputs bound to raw ring values (2^62 is outside what constants encode).
    Value sentI = t.input("sent:int", Visibility.PUBLIC, DType.INT, Shape.scalar());
    Value sentF = t.input("sent:fxp", Visibility.PUBLIC, DType.FXP, Shape.scalar());
    Value sentMinI = sentI, sentMaxI = sentI.neg(), sentMinF = sentF, sentMaxF = sentF.neg();
    for (int i = 0; i < plan.inputs().size(); i++) {
      InputLayout il = lay.inputs.get(i);
      if (!il.min && !il.max) continue;
      Num e = nums.get(i);
      Value c = e.valid() == null ? wg : wg.mul(e.valid());
      boolean fx = il.dtype == DType.FXP;
      if (il.min) t.output("min:" + i, extreme(c, e.v(), fx ? sentMinF : sentMinI, "acc:min:" + i, fx, false, g));
      if (il.max) t.output("max:" + i, extreme(c, e.v(), fx ? sentMaxF : sentMaxI, "acc:max:" + i, fx, true, g));
    }
    return lay;
  }

  /** min/max over the rows of select(c, e, sentinel), with the accumulator as one more column: [G]. */
  private Value extreme(Value c, Value e, Value sentinel, String acc, boolean fx, boolean max, int g) {
    Value sel = c.select(e, sentinel); // [B] or [G x B]
    Value rows = sel.shape().rank() == 1 ? sel.reshape(1, b) : sel;
    Value a = fx ? t.secretInput(acc, Shape.vector(g)) : t.secretInts(acc, Shape.vector(g));
    Value all = rows.concat(1, a.reshape(g, 1));
    return max ? all.reduceMax(1) : all.reduceMin(1);
  }

  /** The statistic columns as a [B x S] matrix (each masked by m when given). */
  private Value matrix(List<Value> cols, Value m) {
    List<Value> cs = new ArrayList<>();
    for (Value v : cols) {
      Value x = m == null ? v : v == exists ? m : v.mul(m); // m is 0 wherever exists is
      cs.add(x.reshape(b, 1));
    }
    Value first = cs.get(0);
    return cs.size() == 1 ? first : first.concat(1, cs.subList(1, cs.size()).toArray(new Value[0]));
  }

  /** The one-hot matrix [G x B] of the group key combinations (first GROUP BY column slowest), or null. */
  private Value onehot() {
    List<SecretPlan.GroupColumn> gs = plan.groups();
    if (gs.isEmpty()) return null;
    Value h = null;
    for (int ci = gs.size() - 1; ci >= 0; ci--) {
      SecretPlan.GroupColumn gc = gs.get(ci);
      Value v = values.get(gc.name()), valid = valids.get(gc.name());
      List<Value> local = localOnehots.get(gc.name());
      // The domain covers every non-NULL value of the column (each writer records its own rows'),
      // so the last non-NULL value's row is the complement of the others': one equality fewer.
      int last = -1;
      if (local == null) for (int j = 0; j < gc.size(); j++) if (!gc.isNull()[j]) last = j;
      List<Value> rows = new ArrayList<>();
      Value others = null;
      for (int j = 0; j < gc.size(); j++) {
        Value r;
        if (local != null) {
          r = local.get(j);
        } else if (gc.isNull()[j]) {
          r = valid == null ? exists.mul(zero) : not(valid);
        } else if (j == last) {
          r = null; // below, once the others are known
        } else {
          r = v.equal(t.constantInt(gc.codes()[j]));
          // NULL rows hold 0: a domain value coded 0 must not catch them
          if (valid != null && gc.codes()[j] == 0) r = r.mul(valid);
          others = others == null ? r : others.add(r);
        }
        rows.add(r);
      }
      if (last >= 0) {
        // 1 on every non-NULL row (padding rows too: the mask m zeroes them in W or X)
        Value all = valid == null ? exists.mul(zero).add(one) : valid;
        rows.set(last, others == null ? all : all.sub(others));
      }
      List<Value> blocks = new ArrayList<>();
      for (Value r : rows) blocks.add(h == null ? r.reshape(1, b) : h.mul(r));
      Value first = blocks.get(0);
      h = blocks.size() == 1 ? first : first.concat(0, blocks.subList(1, blocks.size()).toArray(new Value[0]));
    }
    return h;
  }
}

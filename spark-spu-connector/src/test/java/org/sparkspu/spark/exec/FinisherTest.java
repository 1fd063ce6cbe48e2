package org.sparkspu.spark.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * {@link Finisher} on synthetic secret totals (party 0 inputs plaintext statistics of generated
 * groups) against the same aggregates computed in plain Java: every aggregate over a BIGINT, a
 * DECIMAL(12,2) and a DOUBLE (fixed point) input, with groups under the threshold, a group whose
 * values are all NULL, single-value groups, a suppressed global aggregate, receivers, and the
 * VAR_SAMP overflow guard.
 */
class FinisherTest {
  static final int F = 18;
  static final DataType DEC = DataTypes.createDecimalType(12, 2);

  static Stream<SessionConfig> configs() {
    return Stream.of(SessionConfig.of("ref2k", 3), SessionConfig.semi2k(2), SessionConfig.semi2k(3), SessionConfig.aby3());
  }

  /** One input's values per group (null = SQL NULL), in its encoding. */
  record Column(Expr expr, DataType type, NumericEncoding enc, List<List<Long>> values) {}

  static final String[] KINDS = {"COUNT", "SUM", "AVG", "MIN", "MAX", "VAR_SAMP", "STDDEV_SAMP"};

  static List<AggCall> allAggs(List<Column> cols) {
    List<AggCall> out = new ArrayList<>();
    out.add(new AggCall(AggKind.COUNT_STAR, null, "n"));
    for (Column c : cols) {
      for (String k : KINDS) out.add(new AggCall(AggKind.valueOf(k), c.expr(), k.toLowerCase() + "_" + ((Expr.Col) c.expr()).name()));
    }
    return out;
  }

  /** Generated groups: sizes 0..12 (some under the threshold), a group of NULLs, single-value groups. */
  static List<Column> generate(long seed, int groups, int[] rowsOut) {
    Random r = new Random(seed);
    List<List<Long>> li = new ArrayList<>(), de = new ArrayList<>(), db = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      int rows = g == 0 ? 2 : g == 1 ? 6 : g == 2 ? 5 : 3 + r.nextInt(10);
      rowsOut[g] = rows;
      List<Long> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        boolean allNull = g == 1;         // every value NULL: SUM, MIN, ... NULL; COUNT 0
        boolean single = g == 2 && i > 0; // one value: VAR NULL
        a.add(allNull || single || r.nextInt(6) == 0 ? null : r.nextLong() % 1_000_000L);
        b.add(allNull || single || r.nextInt(6) == 0 ? null : r.nextLong() % 10_000_000L); // DECIMAL(12,2) unscaled, |v| < 100000.00
        c.add(allNull || single || r.nextInt(6) == 0 ? null : (long) ((r.nextDouble() - 0.3) * 2000 * 512) << (F - 9)); // multiples of 2^-9
      }
      li.add(a);
      de.add(b);
      db.add(c);
    }
    return List.of(new Column(new Expr.Col("l"), DataTypes.LongType, NumericEncoding.integer(0), li),
        new Column(new Expr.Col("d"), DEC, NumericEncoding.integer(2), de),
        new Column(new Expr.Col("x"), DataTypes.DoubleType, NumericEncoding.fixed(F), db));
  }

  /** Runs Finisher with party 0 inputting the plaintext statistics; returns each party's rows. */
  static List<List<Row>> run(SessionConfig cfg, SecureQuery q, List<Column> cols, int[] rows, int[] receivers) {
    int groups = rows.length;
    List<long[]> stats = new ArrayList<>();
    stats.add(toLongs(rows));
    for (Column c : cols) {
      long[] cnt = new long[groups], sum = new long[groups], sq = new long[groups], mn = new long[groups], mx = new long[groups];
      for (int g = 0; g < groups; g++) {
        mn[g] = 1L << 62;
        mx[g] = -(1L << 62);
        for (Long v : c.values().get(g)) {
          if (v == null) continue;
          cnt[g]++;
          sum[g] += v;
          sq[g] += c.enc().fixedPoint() ? Math.multiplyHigh(v, v) << (64 - F) | (v * v) >>> F : v * v;
          mn[g] = Math.min(mn[g], v);
          mx[g] = Math.max(mx[g], v);
        }
      }
      stats.addAll(List.of(cnt, sum, sq, mn, mx));
    }
    List<List<Object>> keys = new ArrayList<>();
    for (int g = 0; g < groups; g++) keys.add(q.groupBy().isEmpty() ? List.of() : List.of("g" + g));
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      int k = stats.size();
      int[] owners = new int[k];
      RingTensor[] vals = new RingTensor[k];
      Shape[] shapes = new Shape[k];
      for (int i = 0; i < k; i++) {
        shapes[i] = Shape.vector(groups);
        vals[i] = s.self() == 0 ? RingTensor.vector(stats.get(i)) : null;
      }
      List<Share> sh = p.inputs(owners, vals, shapes);
      List<GroupTotals.InputTotals> ins = new ArrayList<>();
      for (int c = 0; c < cols.size(); c++) {
        int b = 1 + 5 * c;
        Column col = cols.get(c);
        ins.add(new GroupTotals.InputTotals(col.expr(), col.type(), col.enc(), sh.get(b), sh.get(b + 1), sh.get(b + 2), sh.get(b + 3), sh.get(b + 4)));
      }
      return Finisher.finish(s, q, keys, new GroupTotals(groups, sh.get(0), ins), receivers);
    });
    return res.outputs();
  }

  static long[] toLongs(int[] a) {
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[i];
    return r;
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyAggregateMatchesPlainJava(SessionConfig cfg) {
    int groups = 9;
    int[] rows = new int[groups];
    List<Column> cols = generate(42, groups, rows);
    SecureQuery q = new SecureQuery(null, List.of("k"), allAggs(cols), 4);
    List<List<Row>> out = run(cfg, q, cols, rows, null);
    List<Row> got = out.get(0);
    for (List<Row> o : out) assertEquals(got, o, "every party is a receiver");
    int r = 0;
    for (int g = 0; g < groups; g++) {
      if (rows[g] < 4) continue; // suppressed: absent
      Row row = got.get(r++);
      assertEquals("g" + g, row.get(0));
      assertEquals((long) rows[g], row.get(1));
      int at = 2;
      for (Column c : cols) {
        checkGroup(cfg, c, c.values().get(g), row, at);
        at += KINDS.length;
      }
    }
    assertEquals(r, got.size(), "only passing groups");
  }

  static void checkGroup(SessionConfig cfg, Column c, List<Long> vals, Row row, int at) {
    List<Long> vs = vals.stream().filter(v -> v != null).toList();
    long n = vs.size();
    String what = cfg.protocol() + " " + c.expr().sql();
    assertEquals(n, row.get(at), what + " count");
    if (n == 0) {
      for (int k = 1; k < KINDS.length; k++) assertNull(row.get(at + k), what + " " + KINDS[k] + " of no values");
      return;
    }
    BigInteger s = BigInteger.ZERO, q = BigInteger.ZERO;
    for (long v : vs) {
      s = s.add(BigInteger.valueOf(v));
      q = q.add(BigInteger.valueOf(v).pow(2));
    }
    long mn = vs.stream().mapToLong(Long::longValue).min().getAsLong(), mx = vs.stream().mapToLong(Long::longValue).max().getAsLong();
    double var = n < 2 ? Double.NaN : new BigDecimal(q.multiply(BigInteger.valueOf(n)).subtract(s.pow(2)))
        .divide(new BigDecimal(n * (n - 1)), MathContext.DECIMAL128).doubleValue();
    if (c.enc().fixedPoint()) {
      double scale = Math.scalb(1.0, -F);
      assertEquals(s.longValueExact() * scale, (double) row.get(at + 1), 0, what + " sum");
      assertEquals(s.doubleValue() * scale / n, (double) row.get(at + 2), 1e-9 * Math.abs(s.doubleValue() * scale / n) + 1e-12, what + " avg");
      assertEquals(mn * scale, row.get(at + 3), what + " min");
      assertEquals(mx * scale, row.get(at + 4), what + " max");
      var *= scale * scale;
    } else if (c.type() instanceof DecimalType) {
      assertEquals(new BigDecimal(s, 2), row.get(at + 1), what + " sum");
      assertEquals(new BigDecimal(s, 2).divide(BigDecimal.valueOf(n), 6, RoundingMode.HALF_UP), row.get(at + 2), what + " avg (exact HALF_UP)");
      assertEquals(new BigDecimal(BigInteger.valueOf(mn), 2), row.get(at + 3), what + " min");
      assertEquals(new BigDecimal(BigInteger.valueOf(mx), 2), row.get(at + 4), what + " max");
      var /= 1e4;
    } else {
      assertEquals(s.longValueExact(), row.get(at + 1), what + " sum");
      assertEquals(s.doubleValue() / n, (double) row.get(at + 2), 1e-9 * Math.abs(s.doubleValue() / n), what + " avg");
      assertEquals(mn, row.get(at + 3), what + " min");
      assertEquals(mx, row.get(at + 4), what + " max");
    }
    if (n < 2) {
      assertNull(row.get(at + 5), what + " var of one value");
      assertNull(row.get(at + 6), what + " stddev of one value");
    } else {
      assertEquals(var, (double) row.get(at + 5), 1e-9 * var + 1e-6, what + " var");
      assertEquals(Math.sqrt(var), (double) row.get(at + 6), 1e-9 * Math.sqrt(var) + 1e-6, what + " stddev");
    }
  }

  @Test
  void receiversOnlyGetRowsAndSuppressedGlobalIsOneNullRow() {
    int[] rows = {3};
    List<Column> cols = generate(7, 1, new int[1]);
    SecureQuery global = new SecureQuery(null, List.of(), allAggs(cols), 4);
    List<List<Row>> out = run(SessionConfig.aby3(), global, cols, rows, new int[] {2});
    assertNull(out.get(0));
    assertNull(out.get(1));
    assertEquals(1, out.get(2).size());
    Row row = out.get(2).get(0);
    for (int i = 0; i < row.length(); i++) assertNull(row.get(i), "suppressed global aggregate is all NULL");

    int[] big = {10};
    List<Column> cols2 = generate(8, 1, new int[1]);
    List<List<Row>> out2 = run(SessionConfig.semi2k(2), global, cols2, big, new int[] {1});
    assertNull(out2.get(0));
    assertEquals(1, out2.get(1).size());
    assertEquals(10L, out2.get(1).get(0).get(0));
  }

  @Test
  void varianceOverflowIsRefusedNamingTheColumn() {
    // count 2^10 and sum of squares 2^55: n Q = 2^65 does not fit the ring
    int[] rows = {1024};
    List<Long> vals = new ArrayList<>();
    for (int i = 0; i < 1024; i++) vals.add(1L << 22); // v^2 = 2^44, Q = 2^54
    vals.set(0, 3L << 26); // Q >= 2^55
    Column c = new Column(new Expr.Col("big"), DataTypes.LongType, NumericEncoding.integer(0), List.of(vals));
    SecureQuery q = new SecureQuery(null, List.of(), List.of(new AggCall(AggKind.VAR_SAMP, c.expr(), "v")), 4);
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> run(SessionConfig.aby3(), q, List.of(c), rows, null));
    assertEquals("big", e.column());
    assertTrue(e.getMessage().contains("exceeds the 64-bit ring"), e.getMessage());
    // the same column with a smaller count passes
    List<Long> few = new ArrayList<>(vals.subList(0, 8));
    Column c2 = new Column(c.expr(), c.type(), c.enc(), List.of(few));
    List<Row> ok = run(SessionConfig.aby3(), q, List.of(c2), new int[] {8}, null).get(0);
    assertEquals(1, ok.size());
  }

  @Test
  void resultSchemaFollowsSpark() {
    StructType table = new StructType().add("k", DataTypes.StringType).add("l", DataTypes.LongType).add("d", DEC)
        .add("x", DataTypes.DoubleType).add("i", DataTypes.IntegerType);
    List<AggCall> aggs = List.of(new AggCall(AggKind.SUM, new Expr.Col("d"), "s"), new AggCall(AggKind.AVG, new Expr.Col("d"), "a"),
        new AggCall(AggKind.SUM, new Expr.Col("i"), "si"), new AggCall(AggKind.AVG, new Expr.Col("i"), "ai"),
        new AggCall(AggKind.MIN, new Expr.Col("i"), "mi"), new AggCall(AggKind.COUNT_STAR, null, "n"),
        new AggCall(AggKind.STDDEV_SAMP, new Expr.Col("x"), "sd"));
    StructType s = Finisher.resultSchema(new SecureQuery(null, List.of("k"), aggs, 4), table, e -> table.apply(((Expr.Col) e).name()).dataType());
    assertEquals(List.of("k", "s", "a", "si", "ai", "mi", "n", "sd"), List.of(s.fieldNames()));
    assertEquals(DataTypes.createDecimalType(22, 2), s.apply("s").dataType());
    assertEquals(DataTypes.createDecimalType(16, 6), s.apply("a").dataType());
    assertEquals(DataTypes.LongType, s.apply("si").dataType());
    assertEquals(DataTypes.DoubleType, s.apply("ai").dataType());
    assertEquals(DataTypes.IntegerType, s.apply("mi").dataType());
    assertEquals(DataTypes.LongType, s.apply("n").dataType());
    assertEquals(DataTypes.DoubleType, s.apply("sd").dataType());
  }
}

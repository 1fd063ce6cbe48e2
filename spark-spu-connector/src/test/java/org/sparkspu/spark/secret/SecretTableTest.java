package org.sparkspu.spark.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkspu.spark.exec.NumericEncoding;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.Expr.Lit;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.store.ShareStore;

/**
 * Secret-table queries up to their GroupTotals, revealed and compared with the same query in
 * plaintext Spark: exact for integers, decimals and dates; fixed point within a stated tolerance.
 */
class SecretTableTest {
  static SparkSession spark;
  static Dataset<Row> df;
  @TempDir static Path dir;

  static final StructType SCHEMA = new StructType()
      .add("k1", DataTypes.StringType, true)
      .add("k2", DataTypes.IntegerType, true)
      .add("i", DataTypes.IntegerType, true)
      .add("l", DataTypes.LongType, false)
      .add("d", DataTypes.createDecimalType(12, 2), true)
      .add("x", DataTypes.DoubleType, true)
      .add("dt", DataTypes.DateType, true)
      .add("flag", DataTypes.BooleanType, true)
      .add("big", DataTypes.DoubleType, true);

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("SecretTableTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Random r = new Random(42), rb = new Random(43);
    List<Row> rows = new ArrayList<>();
    String[] k1 = {"a", "b", "c", null};
    for (int n = 0; n < 1500; n++) {
      rows.add(RowFactory.create(
          k1[r.nextInt(4)],
          r.nextInt(7) == 0 ? null : r.nextInt(3),
          r.nextInt(6) == 0 ? null : r.nextInt(2001) - 1000,
          (long) r.nextInt(1 << 21) - (1 << 20),
          r.nextInt(6) == 0 ? null : BigDecimal.valueOf(r.nextInt(4000) - 1000, 2),
          r.nextInt(6) == 0 ? null : Math.round(r.nextGaussian() * 50 * 1024) / 1024.0,
          r.nextInt(6) == 0 ? null : java.sql.Date.valueOf(LocalDate.of(1993, 1, 1).plusDays(r.nextInt(1200))),
          r.nextInt(6) == 0 ? null : r.nextBoolean(),
          rb.nextInt(8) == 0 ? null : Math.round((rb.nextDouble() * 2 - 1) * 3000 * 1024) / 1024.0));
    }
    df = spark.createDataFrame(rows, SCHEMA).repartition(3).cache();
    df.createOrReplaceTempView("t");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static final Map<String, SecretTable> TABLES = new HashMap<>();

  static SpuConf conf(String protocol, int parties) {
    return SpuConf.defaults().withProtocol(protocol, parties).withLink("memory").withBatchRows(512).withMinGroupSize(1);
  }

  static SecretTable table(SpuConf conf) {
    return TABLES.computeIfAbsent(conf.protocol() + conf.parties(), k -> {
      String path = dir.resolve(k).toString();
      ShareStore.write(spark, df, 1, path, conf, Map.of("publicDomain", "k1,k2,flag"));
      return SecretTable.open(spark, path, conf);
    });
  }

  static Expr col(String c) {
    return new Expr.Col(c);
  }

  static Expr cmp(String op, Expr l, Expr r) {
    return new Expr.Cmp(op, l, r);
  }

  static Expr and(Expr a, Expr b) {
    return new Expr.And(a, b);
  }

  static Expr or(Expr a, Expr b) {
    return new Expr.Or(a, b);
  }

  static Lit dec(String v) {
    return Lit.of(new BigDecimal(v));
  }

  static AggCall agg(AggKind k, Expr in, String alias) {
    return new AggCall(k, in, alias);
  }

  /** All statistics of each input: count, sum, sum of squares, min, max. */
  static List<AggCall> all(Expr... inputs) {
    List<AggCall> out = new ArrayList<>();
    out.add(new AggCall(AggKind.COUNT_STAR, null, "n"));
    int i = 0;
    for (Expr e : inputs) {
      out.add(agg(AggKind.VAR_SAMP, e, "v" + i));
      out.add(agg(AggKind.MIN, e, "mn" + i));
      out.add(agg(AggKind.MAX, e, "mx" + i));
      i++;
    }
    return out;
  }

  /**
   * Runs the query securely up to its GroupTotals, reveals them, and compares every group with
   * plaintext Spark on the same data.
   */
  static void check(SpuConf conf, Expr filter, List<String> groupBy, List<AggCall> aggs) {
    SecretTable t = table(conf);
    SecureQuery q = new SecureQuery(filter, groupBy, aggs, 1);
    SecretPlan plan = t.planFor(spark, conf, q);
    SecretRun.Revealed rev = t.revealTotals(spark, conf, q);
    List<List<Object>> keys = t.groupKeys(spark, q);
    assertEquals(plan.groupCount(), keys.size());
    assertEquals(keys.size(), rev.rows().length);

    StringBuilder sql = new StringBuilder("SELECT ");
    for (String g : groupBy) sql.append('`').append(g).append("`, ");
    sql.append("count(*) AS __rows");
    for (int i = 0; i < plan.inputs().size(); i++) {
      SecretPlan.InputSpec in = plan.inputs().get(i);
      String e = in.expr().sql();
      sql.append(", count(").append(e).append(") AS c").append(i);
      if (in.sum()) sql.append(", sum(").append(e).append(") AS s").append(i);
      if (in.sumSquares()) sql.append(", sum(").append(e).append(" * ").append(e).append(") AS q").append(i);
      if (in.min()) sql.append(", min(").append(e).append(") AS mn").append(i);
      if (in.max()) sql.append(", max(").append(e).append(") AS mx").append(i);
    }
    sql.append(" FROM t");
    if (filter != null) sql.append(" WHERE ").append(filter.sql());
    if (!groupBy.isEmpty()) sql.append(" GROUP BY ").append(String.join(", ", groupBy.stream().map(g -> "`" + g + "`").toList()));
    Map<List<Object>, Row> want = new HashMap<>();
    for (Row r : spark.sql(sql.toString()).collectAsList()) {
      List<Object> k = new ArrayList<>();
      for (int j = 0; j < groupBy.size(); j++) k.add(r.get(j));
      want.put(k, r);
    }
    int matched = 0;
    for (int gi = 0; gi < keys.size(); gi++) {
      Row w = want.get(keys.get(gi));
      String at = "group " + keys.get(gi) + " of " + q.describe("t");
      if (w == null || w.getLong(groupBy.size()) == 0) {
        assertEquals(0L, rev.rows()[gi], at + ": empty in Spark");
        for (int i = 0; i < plan.inputs().size(); i++) {
          assertEquals(0L, rev.counts().get(i)[gi], at);
          if (plan.inputs().get(i).min()) assertEquals(BatchProgram.MIN_SENTINEL, rev.mins().get(i)[gi], at + " min sentinel");
          if (plan.inputs().get(i).max()) assertEquals(BatchProgram.MAX_SENTINEL, rev.maxs().get(i)[gi], at + " max sentinel");
        }
        continue;
      }
      matched++;
      assertEquals(w.getLong(groupBy.size()), rev.rows()[gi], at + ": rows");
      for (int i = 0; i < plan.inputs().size(); i++) {
        SecretPlan.InputSpec in = plan.inputs().get(i);
        NumericEncoding enc = encodingOf(t, conf, q, i);
        String ati = at + ", input " + in.expr().sql();
        long count = w.getAs("c" + i);
        assertEquals(count, rev.counts().get(i)[gi], ati + ": count");
        // DECIMAL(12, 2) meeting DOUBLE in arithmetic: the decimal is converted with relative error <= 100 / 2^19
        double rel = (in.expr() instanceof Expr.Arith || in.expr() instanceof Expr.CaseWhen) && in.expr().columns().contains("x") && in.expr().columns().contains("d")
            ? 100 / Math.scalb(1.0, 19) : 0;
        if (in.sum()) compare(enc, 1, count == 0 ? null : w.getAs("s" + i), rev.sums().get(i)[gi], count, rel, ati + ": sum");
        if (in.sumSquares()) compare(enc, 2, count == 0 ? null : w.getAs("q" + i), rev.squares().get(i)[gi], count, 2 * rel, ati + ": sum of squares");
        if (in.min()) compare(enc, 1, count == 0 ? null : w.getAs("mn" + i), rev.mins().get(i)[gi], 1, rel, ati + ": min");
        if (in.max()) compare(enc, 1, count == 0 ? null : w.getAs("mx" + i), rev.maxs().get(i)[gi], 1, rel, ati + ": max");
      }
    }
    assertEquals(want.values().stream().filter(r -> r.getLong(groupBy.size()) > 0).count(), matched, "every Spark group is a domain group");
  }

  static NumericEncoding encodingOf(SecretTable t, SpuConf conf, SecureQuery q, int i) {
    return BatchProgram.build(t.planFor(spark, conf, q), new byte[16]).layout().inputs.get(i).encoding;
  }

  /**
   * Exact for integer encodings (at scale, or 2*scale for squares); fixed point within 2^-(f-1) per
   * summed value (truncation and input encoding), plus {@code rel} of the magnitude where decimals
   * meet doubles in arithmetic.
   */
  static void compare(NumericEncoding enc, int power, Object want, long got, long n, double rel, String at) {
    if (want == null) {
      if (power == 1 && !at.endsWith("min") && !at.endsWith("max")) assertEquals(0L, got, at + " (no values)");
      return;
    }
    if (enc.fixedPoint()) {
      double w = ((Number) want).doubleValue();
      double g = got / Math.scalb(1.0, enc.fractionBits());
      double tol = 1e-9 + Math.max(1, n) * Math.scalb(1.0, -enc.fractionBits() + 1) * (power == 2 ? 1 + Math.sqrt(Math.abs(w)) * 4 : 1)
          + rel * Math.abs(w);
      assertTrue(Math.abs(w - g) <= tol, at + ": secure " + g + " vs plaintext " + w + " (tolerance " + tol + ")");
      return;
    }
    BigDecimal w = want instanceof BigDecimal b ? b : want instanceof java.sql.Date d ? BigDecimal.valueOf(d.toLocalDate().toEpochDay())
        : want instanceof Boolean bo ? (bo ? BigDecimal.ONE : BigDecimal.ZERO) : BigDecimal.valueOf(((Number) want).longValue());
    BigDecimal g = BigDecimal.valueOf(got, enc.scale() * power);
    assertEquals(0, w.compareTo(g), at + ": secure " + g + " vs plaintext " + w);
  }

  // ---- queries ----

  static void queries(SpuConf c) {
    // no filter, no GROUP BY; ints, decimals, doubles, dates, a NOT NULL bigint
    List<AggCall> a0 = new ArrayList<>(all(col("i"), col("d"), col("x"), col("l")));
    a0.add(agg(AggKind.MIN, col("dt"), "mindt"));
    a0.add(agg(AggKind.MAX, col("dt"), "maxdt"));
    check(c, null, List.of(), a0);
    // comparisons of every kind against literals; ranges on decimals, dates, doubles
    Expr f1 = and(and(cmp("<", col("i"), Lit.of(100)), cmp(">=", col("d"), dec("5.50"))),
        and(cmp("<", col("dt"), Lit.of(LocalDate.of(1995, 1, 1))), cmp("<=", col("x"), Lit.of(30.25))));
    check(c, f1, List.of("k1"), List.of(agg(AggKind.SUM, col("d"), "s"), agg(AggKind.MIN, col("dt"), "m"),
        agg(AggKind.MAX, col("x"), "x"), new AggCall(AggKind.COUNT_STAR, null, "n")));
    // OR / NOT / IS NULL / IN / <> on hashed strings and ints, two GROUP BY columns with NULL keys (k2 has the key 0)
    Expr f2 = or(and(or(cmp("=", col("k1"), Lit.of("a")), new Expr.In(col("k1"), List.of(Lit.of("b"), Lit.of("zz")))),
        new Expr.Not(new Expr.IsNull(col("i"), false))), cmp(">", col("x"), Lit.of(10.5)));
    check(c, f2, List.of("k1", "k2"), List.of(agg(AggKind.SUM, col("l"), "s"), agg(AggKind.COUNT, col("i"), "c"),
        agg(AggKind.AVG, col("i"), "a")));
    // decimal literals between representable values, <>, =, BETWEEN-like, boolean columns, IS NOT NULL
    Expr f3 = and(and(cmp("<", col("d"), dec("5.555")), cmp("<>", col("d"), dec("0"))),
        and(new Expr.Not(new Expr.Cmp("<", col("i"), Lit.of(-10))), cmp("<=", col("i"), Lit.of(500))));
    check(c, or(f3, cmp("=", col("d"), dec("12.345"))), List.of("flag"),
        List.of(agg(AggKind.SUM, new Expr.Arith("+", new Expr.Arith("*", col("d"), Lit.of(2)), col("i")), "e"),
            agg(AggKind.MIN, col("d"), "m"), agg(AggKind.VAR_SAMP, col("i"), "v")));
    check(c, and(col("flag"), new Expr.IsNull(col("x"), true)), List.of("k2"),
        List.of(agg(AggKind.SUM, new Expr.Arith("*", col("x"), col("d")), "xd"), agg(AggKind.MAX, col("i"), "mx"),
            agg(AggKind.COUNT, col("k1"), "ck")));
    check(c, new Expr.Not(col("flag")), List.of(), List.of(agg(AggKind.SUM, new Expr.Arith("-", col("i"), col("d")), "e"),
        agg(AggKind.MIN, new Expr.Arith("*", col("i"), col("i")), "sq")));
    // equality and IN on ints and dates, a column-column comparison
    check(c, and(new Expr.In(col("k2"), List.of(Lit.of(0), Lit.of(2), new Lit(null, DataTypes.IntegerType))),
        cmp(">", col("d"), col("x"))), List.of("k1"), all(col("d")));
    check(c, cmp("=", col("dt"), Lit.of(LocalDate.of(1994, 6, 1))), List.of(), List.of(new AggCall(AggKind.COUNT_STAR, null, "n")));
    // large doubles (|big| <= 3000, like the breast cancer set's areas): squares and products whose
    // encodings before truncation reach 2^59, where a plain fixed-point product fails 1 time in 16
    List<AggCall> large = new ArrayList<>(all(col("big")));
    large.add(agg(AggKind.SUM, new Expr.Arith("*", col("big"), col("x")), "bx"));
    large.add(agg(AggKind.SUM, new Expr.Arith("*", col("big"), col("big")), "bb"));
    large.add(agg(AggKind.SUM, new Expr.Arith("*", col("big"), Lit.of(1234.5)), "bc"));
    large.add(agg(AggKind.SUM, new Expr.Arith("*", col("i"), col("big")), "ib"));
    check(c, cmp(">", col("big"), Lit.of(-2500.0)), List.of("k1"), large);
    // nothing passes: empty groups everywhere
    check(c, cmp(">", col("i"), Lit.of(100_000)), List.of("k1", "flag"), all(col("i"), col("x")));
    caseWhen(c);
  }

  /** CASE WHEN: conditional counts (TPC-H Q12's shape), mixed-kind branches, no ELSE (NULL), NULL conditions. */
  static void caseWhen(SpuConf c) {
    Expr high = or(cmp("=", col("k1"), Lit.of("a")), cmp("=", col("k1"), Lit.of("b")));
    Expr low = and(cmp("<>", col("k1"), Lit.of("a")), cmp("<>", col("k1"), Lit.of("b")));
    Expr highCount = new Expr.CaseWhen(List.of(high), List.of(Lit.of(1)), Lit.of(0));
    Expr lowCount = new Expr.CaseWhen(List.of(low), List.of(Lit.of(1)), Lit.of(0));
    check(c, cmp("<", col("i"), Lit.of(300)), List.of("flag"),
        List.of(agg(AggKind.SUM, highCount, "high"), agg(AggKind.SUM, lowCount, "low")));
    // two branches of different kinds (decimal, double), a NULL-able condition, no ELSE
    Expr mixed = new Expr.CaseWhen(List.of(cmp(">", col("i"), Lit.of(10)), cmp("<", col("x"), Lit.of(50.0))),
        List.of(col("d"), new Expr.Arith("*", col("x"), Lit.of(2))), null);
    Expr exact = new Expr.CaseWhen(List.of(new Expr.IsNull(col("i"), false), col("flag")),
        List.of(dec("0.5"), new Expr.Arith("-", col("d"), col("i"))), col("l"));
    check(c, null, List.of("k2"), List.of(agg(AggKind.SUM, mixed, "m"), agg(AggKind.COUNT, mixed, "cm"),
        agg(AggKind.AVG, exact, "e"), agg(AggKind.MIN, exact, "mn"), agg(AggKind.MAX, mixed, "mx")));
  }

  @Test
  void aby3() {
    queries(conf("aby3", 3));
  }

  @Test
  void semi2kTwoParties() {
    queries(conf("semi2k", 2));
  }

  @Test
  void semi2kThreeParties() {
    SpuConf c = conf("semi2k", 3);
    check(c, and(cmp("<", col("i"), Lit.of(100)), cmp("=", col("k1"), Lit.of("c"))), List.of("k2"), all(col("d"), col("x")));
  }

  @Test
  void explainShowsTheMergedProgram() {
    SpuConf c = conf("aby3", 3);
    SecretTable t = table(c);
    Expr q6 = and(and(cmp(">=", col("dt"), Lit.of(LocalDate.of(1994, 1, 1))), cmp("<", col("dt"), Lit.of(LocalDate.of(1995, 1, 1)))),
        and(and(cmp(">=", col("d"), dec("0.05")), cmp("<=", col("d"), dec("0.07"))), cmp("<", col("i"), Lit.of(24))));
    SecureQuery q = new SecureQuery(q6, List.of(), List.of(agg(AggKind.SUM, new Expr.Arith("*", col("x"), col("d")), "revenue")), 4);
    String text = t.explain(spark, c, q);
    assertTrue(text.contains("per-batch program"), text);
    assertTrue(text.contains("matmul"), text);
    assertTrue(text.contains("revealed"), text);
    // the five comparisons of the AND chain run as one conjunction kernel, no separate less-than
    long fused = text.lines().filter(s -> s.matches("\\s*\\d+\\s+\\d+\\s+all_negative\\(5\\)\\s.*")).count();
    assertEquals(1, fused, text);
    assertTrue(text.lines().noneMatch(s -> s.matches("\\s*\\d+\\s+\\d+\\s+less\\s.*")), text);
  }

  @Test
  void refusalsNameTheColumn() {
    SpuConf c = conf("aby3", 3);
    SecretTable t = table(c);
    List<AggCall> n = List.of(new AggCall(AggKind.COUNT_STAR, null, "n"));
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> t.validate(new SecureQuery(null, List.of("i"), n, 1)));
    assertEquals("i", e.column());
    assertTrue(e.getMessage().contains("public domain"), e.getMessage());
    e = assertThrows(SpuQueryException.class, () -> t.validate(new SecureQuery(cmp("<", col("k1"), Lit.of("b")), List.of(), n, 1)));
    assertEquals("k1", e.column());
    assertTrue(e.getMessage().contains("keyed hashes"), e.getMessage());
    e = assertThrows(SpuQueryException.class, () -> t.validate(new SecureQuery(null, List.of(),
        List.of(agg(AggKind.SUM, col("k1"), "s")), 1)));
    assertEquals("k1", e.column());
    e = assertThrows(SpuQueryException.class, () -> t.validate(new SecureQuery(
        cmp("=", new Expr.Arith("+", col("k1"), Lit.of(1)), Lit.of(2)), List.of(), n, 1)));
    assertEquals("k1", e.column());
    e = assertThrows(SpuQueryException.class, () -> t.validate(new SecureQuery(cmp("=", col("nope"), Lit.of(1)), List.of(), n, 1)));
    assertEquals("nope", e.column());
    e = assertThrows(SpuQueryException.class, () -> t.validate(new SecureQuery(cmp("=", col("i"), Lit.of("x")), List.of(), n, 1)));
    assertEquals("i", e.column());
    assertNotNull(t.schema().apply("k1"));
  }
}

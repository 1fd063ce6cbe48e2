package org.sparkspu.spark.horizontal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * {@link HorizontalTable} against plaintext Spark over the union of the parties' rows, on generated
 * data (3 parties of 50-500 rows, fixed seed, NULLs in every column): every aggregate over INT,
 * BIGINT, DECIMAL(12,2) and DOUBLE columns, GROUP BY one and two columns (NULL and string keys), a
 * filter, suppressed groups, an empty filter result, a global aggregate, aby3 and semi2k (2
 * parties), and the refusals. Tolerances: integers and decimals exact (AVG of decimals exactly
 * Spark's HALF_UP result); AVG of integers relative 1e-9; DOUBLE sums, averages, min and max
 * within the fixed-point encoding (2^-19 per value); VAR/STDDEV relative 1e-6.
 */
class HorizontalTableTest {
  static SparkSession spark;
  static final StructType SCHEMA = new StructType().add("k1", DataTypes.StringType).add("k2", DataTypes.IntegerType)
      .add("i", DataTypes.IntegerType).add("l", DataTypes.LongType).add("d", DataTypes.createDecimalType(12, 2))
      .add("p", DataTypes.createDecimalType(12, 2)).add("x", DataTypes.DoubleType).add("dt", DataTypes.DateType)
      .add("ts", DataTypes.TimestampType);
  static List<Dataset<Row>> tables3, tables2;
  static Dataset<Row> all3, all2;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("HorizontalTableTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    Random r = new Random(2024);
    tables3 = new ArrayList<>();
    for (int p = 0; p < 3; p++) tables3.add(party(r, 50 + r.nextInt(450), p));
    tables2 = List.of(party(r, 120, 0), party(r, 90, 1));
    all3 = tables3.get(0).union(tables3.get(1)).union(tables3.get(2));
    all2 = tables2.get(0).union(tables2.get(1));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static <T> T maybe(Random r, T v) {
    return r.nextInt(8) == 0 ? null : v;
  }

  static Dataset<Row> party(Random r, int rows, int p) {
    String[] common = {"a", "b", "c", "d", "e"};
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      // keys: a few common values, NULL, and rare keys that stay under the threshold
      String k1 = r.nextInt(40) == 0 ? "rare" + p + "_" + i : r.nextInt(10) == 0 ? null : common[r.nextInt(common.length)];
      Integer k2 = r.nextInt(7) == 0 ? null : r.nextInt(3);
      out.add(RowFactory.create(k1, k2,
          maybe(r, r.nextInt(100_001) - 50_000),
          maybe(r, (long) (r.nextInt(2_000_001) - 1_000_000)),
          maybe(r, BigDecimal.valueOf(r.nextInt(200_001) - 100_000, 2)),                       // +-1000.00
          maybe(r, new BigDecimal(BigInteger.valueOf((r.nextLong() >>> 25) % 1_000_000_000_000L - 400_000_000_000L), 2)), // large prices
          maybe(r, (r.nextInt(100_001) - 30_000) / 100.0),
          maybe(r, Date.valueOf(LocalDate.of(1992, 1, 1).plusDays(r.nextInt(2500)))),
          maybe(r, new java.sql.Timestamp(700_000_000_000L + (long) r.nextInt(1_000_000_000) * 1000 + r.nextInt(1000)))));
    }
    return spark.createDataFrame(out, SCHEMA);
  }

  static SpuConf conf(String protocol, int parties) {
    return SpuConf.defaults().withProtocol(protocol, parties).withRuntime("local").withLink("memory");
  }

  static final AggKind[] NUMERIC = {AggKind.COUNT, AggKind.SUM, AggKind.AVG, AggKind.MIN, AggKind.MAX, AggKind.VAR_SAMP, AggKind.STDDEV_SAMP};

  /** Every aggregate over every numeric column, plus MIN/MAX of the date, COUNT of the string, SUM/AVG/MIN/MAX of large decimals. */
  static List<AggCall> everyAggregate() {
    List<AggCall> out = new ArrayList<>();
    out.add(new AggCall(AggKind.COUNT_STAR, null, "n"));
    for (String c : List.of("i", "l", "d", "x")) {
      for (AggKind k : NUMERIC) out.add(new AggCall(k, new Expr.Col(c), k.name().toLowerCase() + "_" + c));
    }
    for (AggKind k : List.of(AggKind.SUM, AggKind.AVG, AggKind.MIN, AggKind.MAX)) out.add(new AggCall(k, new Expr.Col("p"), k.name().toLowerCase() + "_p"));
    out.add(new AggCall(AggKind.MIN, new Expr.Col("dt"), "min_dt"));
    out.add(new AggCall(AggKind.MAX, new Expr.Col("dt"), "max_dt"));
    out.add(new AggCall(AggKind.MIN, new Expr.Col("ts"), "min_ts"));
    out.add(new AggCall(AggKind.MAX, new Expr.Col("ts"), "max_ts"));
    out.add(new AggCall(AggKind.COUNT, new Expr.Col("k1"), "count_k1"));
    return out;
  }

  static String sparkFn(AggKind k) {
    return switch (k) {
      case COUNT, COUNT_STAR -> "count";
      case SUM -> "sum";
      case AVG -> "avg";
      case MIN -> "min";
      case MAX -> "max";
      case VAR_SAMP -> "var_samp";
      case STDDEV_SAMP -> "stddev_samp";
    };
  }

  /** The same query in plaintext Spark over the union of the parties' rows. */
  static List<Row> plaintext(Dataset<Row> all, SecureQuery q) {
    Dataset<Row> df = q.filter() == null ? all : all.where(q.filter().sql());
    List<String> sel = new ArrayList<>();
    for (String g : q.groupBy()) sel.add("`" + g + "`");
    for (AggCall a : q.aggregates()) sel.add(sparkFn(a.kind()) + "(" + (a.input() == null ? "*" : a.input().sql()) + ") AS `" + a.alias() + "`");
    df.createOrReplaceTempView("plain_union");
    String sql = "SELECT " + String.join(", ", sel) + ", count(*) AS `__rows` FROM plain_union"
        + (q.filter() == null ? "" : " WHERE " + q.filter().sql())
        + (q.groupBy().isEmpty() ? "" : " GROUP BY " + q.groupBy().stream().map(g -> "`" + g + "`").collect(Collectors.joining(", ")));
    List<Row> rows = spark.sql(sql).collectAsList();
    List<Row> kept = new ArrayList<>();
    int n = q.groupBy().size() + q.aggregates().size();
    for (Row r : rows) {
      if (r.getLong(n) < q.minGroupSize()) continue;
      Object[] v = new Object[n];
      for (int i = 0; i < n; i++) v[i] = r.get(i);
      kept.add(RowFactory.create(v));
    }
    kept.sort((a, b) -> {
      List<Object> ka = new ArrayList<>(), kb = new ArrayList<>();
      for (int i = 0; i < q.groupBy().size(); i++) {
        ka.add(a.get(i));
        kb.add(b.get(i));
      }
      return HorizontalTable.KEY_ORDER.compare(ka, kb);
    });
    return kept;
  }

  static void assertMatches(List<Row> want, QueryResult got, SecureQuery q) {
    assertEquals(want.size(), got.rows().size(), "number of groups: " + want + " vs " + got.rows());
    int nk = q.groupBy().size();
    for (int r = 0; r < want.size(); r++) {
      Row w = want.get(r), g = got.rows().get(r);
      for (int i = 0; i < nk; i++) assertEquals(w.get(i), g.get(i), "group key");
      for (int a = 0; a < q.aggregates().size(); a++) {
        AggCall call = q.aggregates().get(a);
        Object wv = w.get(nk + a), gv = g.get(nk + a);
        String what = call + " in group " + w.toString();
        if (wv == null) {
          assertNull(gv, what);
          continue;
        }
        assertNotNull(gv, what);
        boolean dbl = call.input() != null && call.input().sql().equals("`x`");
        if (call.kind() == AggKind.VAR_SAMP || call.kind() == AggKind.STDDEV_SAMP) {
          double x = (Double) wv, y = (Double) gv;
          assertEquals(x, y, 1e-6 * Math.abs(x) + 1e-9, what);
        } else if (dbl && call.kind() != AggKind.COUNT) {
          double x = ((Number) wv).doubleValue(), y = ((Number) gv).doubleValue();
          double enc = Math.scalb(1.0, -19); // fixed-point encoding error per value
          double tol = call.kind() == AggKind.SUM ? 1500 * enc : enc;
          assertEquals(x, y, tol + 1e-12 * Math.abs(x), what);
        } else if (call.kind() == AggKind.AVG && wv instanceof Double x) {
          assertEquals(x, (Double) gv, 1e-9 * Math.abs(x), what);
        } else {
          assertEquals(wv, gv, what); // exact, same Java type and (for decimals) scale
        }
      }
    }
  }

  @Test
  void everyAggregateGroupedByAStringWithNullsAby3() {
    HorizontalTable t = new HorizontalTable("sales", tables3);
    SecureQuery q = new SecureQuery(null, List.of("k1"), everyAggregate(), 4);
    QueryResult res = t.execute(spark, conf("aby3", 3), q, null);
    List<Row> want = plaintext(all3, q);
    assertMatches(want, res, q);
    assertTrue(want.stream().anyMatch(r -> r.get(0) == null), "the NULL key is a group");
    assertTrue(all3.where("k1 LIKE 'rare%'").count() > 0, "some rare keys exist");
    assertTrue(res.rows().stream().noneMatch(r -> r.get(0) != null && r.getString(0).startsWith("rare")), "rare groups suppressed");
    assertEquals(t.resultSchema(q), res.schema());
    assertEquals("horizontal", res.profile().layout());
    assertTrue(res.profile().rounds() > 0 && res.profile().maxBytesPerParty() > 0);
    assertEquals(3, res.profile().bytesSentPerParty().length);
  }

  @Test
  void twoKeysWithFilterSemi2kTwoParties() {
    HorizontalTable t = new HorizontalTable("sales2", tables2);
    Expr filter = new Expr.And(new Expr.Cmp(">", new Expr.Col("x"), Expr.Lit.of(0.0)), new Expr.IsNull(new Expr.Col("i"), true));
    List<AggCall> aggs = List.of(new AggCall(AggKind.COUNT_STAR, null, "n"), new AggCall(AggKind.SUM, new Expr.Col("d"), "s"),
        new AggCall(AggKind.AVG, new Expr.Col("d"), "a"), new AggCall(AggKind.AVG, new Expr.Col("i"), "ai"),
        new AggCall(AggKind.MAX, new Expr.Col("x"), "mx"), new AggCall(AggKind.STDDEV_SAMP, new Expr.Col("l"), "sd"),
        new AggCall(AggKind.SUM, new Expr.Arith("*", new Expr.Col("i"), Expr.Lit.of(2)), "s2"));
    SecureQuery q = new SecureQuery(filter, List.of("k1", "k2"), aggs, 3);
    QueryResult res = t.execute(spark, conf("semi2k", 2), q, new int[] {1});
    assertMatches(plaintext(all2, q), res, q);
    assertTrue(res.rows().size() > 3);
  }

  @Test
  void globalAggregateEmptyFilterAndNettyLinks() {
    HorizontalTable t = new HorizontalTable("sales", tables3);
    List<AggCall> aggs = List.of(new AggCall(AggKind.COUNT_STAR, null, "n"), new AggCall(AggKind.SUM, new Expr.Col("p"), "s"),
        new AggCall(AggKind.AVG, new Expr.Col("p"), "a"), new AggCall(AggKind.VAR_SAMP, new Expr.Col("x"), "v"),
        new AggCall(AggKind.MIN, new Expr.Col("dt"), "first"));
    SecureQuery global = new SecureQuery(null, List.of(), aggs, 4);
    QueryResult res = t.execute(spark, conf("aby3", 3).withLink("netty"), global, null);
    assertMatches(plaintext(all3, global), res, global);

    // empty filter result: a global aggregate returns one row of NULLs (0 rows < k), a grouped one no rows
    Expr none = new Expr.Cmp("<", new Expr.Col("i"), Expr.Lit.of(-1_000_000));
    QueryResult empty = t.execute(spark, conf("aby3", 3), new SecureQuery(none, List.of(), aggs, 4), null);
    assertEquals(1, empty.rows().size());
    for (int i = 0; i < aggs.size(); i++) assertNull(empty.rows().get(0).get(i));
    QueryResult emptyGrouped = t.execute(spark, conf("aby3", 3), new SecureQuery(none, List.of("k1"), aggs, 4), null);
    assertEquals(0, emptyGrouped.rows().size());
  }

  @Test
  void explainShowsLocalStepsMpcCostAndReveal() {
    HorizontalTable t = new HorizontalTable("sales", tables3);
    SecureQuery q = new SecureQuery(null, List.of("k1"), List.of(new AggCall(AggKind.AVG, new Expr.Col("d"), "a"),
        new AggCall(AggKind.MIN, new Expr.Col("i"), "m")), 4);
    String ex = t.explain(spark, conf("aby3", 3), q);
    assertTrue(ex.contains("party 2: SELECT `k1`"), ex);
    assertTrue(ex.contains("rounds"), ex);
    assertTrue(ex.contains("revealed: to every party: each party's distinct group keys"), ex);
  }

  @Test
  void refusals() {
    HorizontalTable t = new HorizontalTable("sales", tables3);
    SpuQueryException e = assertThrows(SpuQueryException.class,
        () -> t.validate(new SecureQuery(null, List.of(), List.of(new AggCall(AggKind.SUM, new Expr.Col("k1"), "s")), 4)));
    assertEquals("k1", e.column());
    e = assertThrows(SpuQueryException.class,
        () -> t.validate(new SecureQuery(null, List.of("nope"), List.of(new AggCall(AggKind.COUNT_STAR, null, "n")), 4)));
    assertEquals("nope", e.column());
    e = assertThrows(SpuQueryException.class,
        () -> t.validate(new SecureQuery(null, List.of(), List.of(new AggCall(AggKind.MAX, new Expr.Col("missing"), "m")), 4)));
    assertEquals("missing", e.column());
    // schemas must agree: the error names the party and the column
    Dataset<Row> other = tables3.get(1).withColumn("d", tables3.get(1).col("d").cast("double"));
    e = assertThrows(SpuQueryException.class, () -> new HorizontalTable("bad", List.of(tables3.get(0), other, tables3.get(2))));
    assertEquals("d", e.column());
    assertTrue(e.getMessage().contains("party 1"), e.getMessage());
    // a party whose DOUBLE does not fit the fixed-point range: error names party and column, no value
    Dataset<Row> huge = tables3.get(2).withColumn("x", org.apache.spark.sql.functions.lit(1e30));
    HorizontalTable h = new HorizontalTable("huge", List.of(tables3.get(0), tables3.get(1), huge));
    e = assertThrows(SpuQueryException.class, () -> h.execute(spark, conf("aby3", 3),
        new SecureQuery(null, List.of(), List.of(new AggCall(AggKind.SUM, new Expr.Col("x"), "s")), 4), null));
    assertEquals("x", e.column());
    assertTrue(e.getMessage().contains("party 2") && !e.getMessage().contains("1.0E30"), e.getMessage());
  }
}

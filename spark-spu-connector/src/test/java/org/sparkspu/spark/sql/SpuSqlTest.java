package org.sparkspu.spark.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * SQL over a spu table end to end, against the plaintext-Spark fake {@link PlainTable}: Spark's
 * push-down of filters and aggregates (plain, unqualified secure_* and spu.system.secure_*),
 * results and types equal to plaintext Spark, refusals, the function's plaintext path, metrics.
 * The same SQL over real MPC (both layouts, aby3 and semi2k): {@link SecureSqlEndToEndTest}.
 */
class SpuSqlTest {
  static SparkSession spark;
  static PlainTable table;

  @BeforeAll
  static void start() {
    spark = TestData.session("SpuSqlTest");
    Dataset<Row> raw = TestData.table(spark, 240, 7, 0).cache();
    raw.createOrReplaceTempView("raw");
    table = new PlainTable("t", raw);
    SpuTableRegistry.register("sqltest", table);
    spark.read().format("spu").option("table", "sqltest").load().createOrReplaceTempView("v");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The query over the spu view and over the plaintext table; {f} is replaced by the aggregate spelling. */
  private static void assertPushedAndEqual(String query, String prefix) {
    int before = table.executions.get();
    Dataset<Row> secure = spark.sql(String.format(query, "v").replace("{", prefix).replace("}", ""));
    Dataset<Row> plain = spark.sql(String.format(query, "raw").replace("{", "").replace("}", "").replace("count(1)", "count(*)"));
    TestData.assertSameResult(plain, secure);
    assertEquals(before + 1, table.executions.get(), "one MPC run per query");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "qty > 10.5 AND n != 2", "qty >= 10 AND qty <= 40 OR n IS NULL", "price < 50.0 OR NOT (n <> 2)",
      "qty IS NOT NULL AND price IS NULL", "g2 IN ('a', 'c') AND n IN (1, 2, 5)", "g2 NOT IN ('b')",
      "dt >= DATE '2024-01-10' AND dt < DATE '2024-02-01'", "dt BETWEEN '2024-01-05' AND '2024-01-20'",
      "qty * 2 - price > 5 AND -n < -2", "qty BETWEEN 0.05 - 0.01 AND 30 + 0.01", "n <=> 2", "NOT (n <=> NULL)",
      "price * n >= 100 OR n + 1 <> 3", "g2 = 'b' AND NOT (qty < 20 OR n IS NULL)", "id < 100L AND qty < 24"})
  void filtersPushIntoMpcAndMatchPlaintext(String where) {
    assertPushedAndEqual("SELECT g, {sum}(qty), {count}(1), {avg}(price), {min}(dt), {max}(n) FROM %s WHERE " + where + " GROUP BY g", "");
    assertNotNull(table.lastQuery.filter(), "filter translated: " + where);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "secure_", "spu.system.secure_"})
  void everyAggregateMatchesPlaintextWithZeroOneTwoGroupColumns(String prefix) {
    String aggs = "{sum}(qty), {sum}(n), {sum}(price), {count}(qty), {count}(1), {avg}(qty), {avg}(n), {avg}(price), {min}(qty), "
        + "{max}(price), {min}(dt), {max}(dt), {var_samp}(price), {stddev_samp}(qty), {var_samp}(n), {sum}(qty * n - 1)";
    assertPushedAndEqual("SELECT " + aggs + " FROM %s WHERE n IS NOT NULL", prefix);
    assertPushedAndEqual("SELECT g, " + aggs + " FROM %s GROUP BY g", prefix);
    assertPushedAndEqual("SELECT g2, g, " + aggs + " FROM %s WHERE dt > DATE '2024-01-03' GROUP BY g, g2", prefix);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "secure_"})
  void caseWhenInsideAggregatesPushesIntoMpc(String prefix) {
    // TPC-H Q12's conditional counts, a CASE without ELSE (NULL), nested CASE, mixed branch types
    assertPushedAndEqual("SELECT g, {sum}(CASE WHEN g2 = 'a' OR g2 = 'b' THEN 1 ELSE 0 END) AS high, "
        + "{sum}(CASE WHEN g2 <> 'a' AND g2 <> 'b' THEN 1 ELSE 0 END) AS low FROM %s WHERE qty > 5 GROUP BY g", prefix);
    assertPushedAndEqual("SELECT g2, {avg}(CASE WHEN n > 1 THEN qty WHEN price < 20 THEN price END), "
        + "{count}(CASE WHEN n IS NULL THEN 1 END), {max}(CASE WHEN qty > 10 THEN CASE WHEN n = 2 THEN n * 10 ELSE n END ELSE -1 END) "
        + "FROM %s GROUP BY g2", prefix);
    assertTrue(table.lastQuery.aggregates().stream().anyMatch(a -> a.input() instanceof Expr.CaseWhen), "CASE translated");
  }

  @Test
  void havingOrderByAndExpressionsRunOnRevealedAggregates() {
    for (String prefix : List.of("", "secure_")) {
      assertPushedAndEqual("SELECT g, {sum}(qty) AS s, {count}(1) AS c FROM %s GROUP BY g HAVING s > 100 ORDER BY s DESC", prefix);
      assertPushedAndEqual("SELECT g FROM %s GROUP BY g HAVING {sum}(n) > 10 ORDER BY g", prefix);
      assertPushedAndEqual("SELECT g2, {max}(qty) - {min}(qty) AS spread, {sum}(qty) / {count}(qty) AS mean FROM %s "
          + "WHERE n IS NOT NULL GROUP BY g2 ORDER BY g2", prefix);
    }
    Dataset<Row> ordered = spark.sql("SELECT g, secure_sum(qty) AS s FROM v WHERE g IS NOT NULL GROUP BY g ORDER BY g");
    List<Row> rows = ordered.collectAsList();
    for (int i = 1; i < rows.size(); i++) assertTrue(rows.get(i - 1).getInt(0) < rows.get(i).getInt(0), "ordered by g");
  }

  @Test
  void unqualifiedSecureFunctionsNameTheirColumnsAndPushAsUserDefinedAggregates() {
    Dataset<Row> df = spark.sql("SELECT g, secure_sum(qty), secure_count(1), spu.system.secure_avg(price) AS a FROM v GROUP BY g");
    assertArrayEquals(new String[] {"g", "secure_sum(qty)", "secure_count(1)", "a"}, df.columns());
    df.collect();
    assertEquals(List.of(AggKind.SUM, AggKind.COUNT_STAR, AggKind.AVG),
        table.lastQuery.aggregates().stream().map(a -> a.kind()).toList());
    assertEquals(List.of("g"), table.lastQuery.groupBy());
  }

  @Test
  void smallGroupsAreSuppressed() {
    spark.conf().set("spark.spu.minGroupSize", "10");
    try {
      List<Row> plain = spark.sql("SELECT g2, g, count(*) FROM raw GROUP BY g2, g HAVING count(*) >= 10").collectAsList();
      List<Row> secure = spark.sql("SELECT g2, g, secure_count(1) FROM v GROUP BY g2, g").collectAsList();
      assertEquals(plain.size(), secure.size());
      assertTrue(plain.size() > 0 && plain.size() < spark.sql("SELECT DISTINCT g2, g FROM raw").count(), "some groups suppressed");
      assertEquals(10, table.lastQuery.minGroupSize());
      Row global = spark.sql("SELECT sum(qty), secure_count(1), secure_avg(n) FROM v WHERE n = 99").collectAsList().get(0);
      assertTrue(global.isNullAt(0) && global.isNullAt(1) && global.isNullAt(2), "a global aggregate under the threshold reveals NULLs: " + global);
      // Spark's own count is never NULL: the suppressed global row is left out rather than shown as count 0.
      assertEquals(0, spark.sql("SELECT sum(qty), count(*) FROM v WHERE n = 99").collectAsList().size());
    } finally {
      spark.conf().set("spark.spu.minGroupSize", "1");
    }
  }

  @Test
  void receiversComeFromRevealToConfOrOption() {
    spark.sql("SELECT sum(qty) FROM v").collect();
    assertNull(table.lastReceivers, "default: every party");
    spark.conf().set(SpuSettings.REVEAL_TO, "0,2");
    try {
      spark.sql("SELECT sum(qty) FROM v").collect();
      assertArrayEquals(new int[] {0, 2}, table.lastReceivers);
    } finally {
      spark.conf().unset(SpuSettings.REVEAL_TO);
    }
    spark.read().format("spu").option("table", "sqltest").option("revealTo", "1").load().groupBy().count().collect();
    assertArrayEquals(new int[] {1}, table.lastReceivers);
    SpuQueryException e = assertThrows(SpuQueryException.class,
        () -> spark.read().format("spu").option("table", "sqltest").option("revealTo", "5").load().groupBy().count().collect());
    assertTrue(e.getMessage().contains("party 5 does not exist"), e.getMessage());
  }

  @Test
  void metricsOfTheMpcRunAreOnTheScanNode() {
    Dataset<Row> df = spark.sql("SELECT g, secure_sum(qty) FROM v GROUP BY g ORDER BY g");
    df.collect();
    List<Map<String, Long>> metrics = CatalystBridge.scanMetrics(df);
    assertEquals(1, metrics.size());
    assertEquals(7L, metrics.get(0).get(SpuMetrics.ROUNDS));
    assertEquals(300L, metrics.get(0).get(SpuMetrics.MAX_BYTES));
    assertEquals(12L, metrics.get(0).get(SpuMetrics.MPC_MS));
    assertEquals(df.count(), metrics.get(0).get(SpuMetrics.ROWS));
  }

  @Test
  void planningAndExplainDoNotRunMpc() {
    int before = table.executions.get();
    Dataset<Row> df = spark.sql("SELECT g, secure_sum(qty) AS s FROM v GROUP BY g HAVING s > 0 ORDER BY g");
    String plan = df.queryExecution().explainString(org.apache.spark.sql.execution.ExtendedMode$.MODULE$);
    assertTrue(plan.contains("spu plain-test t"), plan);
    assertEquals(before, table.executions.get(), "explain ran the query");
  }

  @Test
  void refusedShapesNameTheColumnThatWouldLeaveMpc() {
    spark.udf().register("plus_one", (UDF1<Integer, Integer>) x -> x == null ? null : x + 1, DataTypes.IntegerType);
    assertRefused("SELECT * FROM v", "id", "is secret");
    assertRefused("SELECT qty FROM v WHERE g = 1", "qty", "is secret");
    assertRefused("SELECT g, qty * 2 FROM v", "g", "is secret");
    assertRefused("SELECT sum(DISTINCT qty) FROM v", "qty", "DISTINCT");
    assertRefused("SELECT secure_sum(DISTINCT qty) FROM v", "qty", "DISTINCT");
    assertRefused("SELECT count(DISTINCT g2) FROM v", "g2", "DISTINCT");
    assertRefused("SELECT sum(qty) FROM v WHERE plus_one(n) > 2", "qty", "UDF");
    assertRefused("SELECT sum(qty) FROM v WHERE upper(g2) = 'A'", "g2", "UPPER");
    assertRefused("SELECT sum(price / 2) FROM v", "price", "/");
    assertRefused("SELECT corr(price, qty) FROM v", "price", "no secure equivalent");
    assertRefused("SELECT g % 2, sum(qty) FROM v GROUP BY g % 2", "g", "only plain columns");
    assertRefused("SELECT v.g, sum(v.qty) FROM v JOIN raw ON v.id = raw.id GROUP BY v.g", "id", "is secret");
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> spark.sql("SELECT secure_count(DISTINCT *) FROM v").collect());
    assertTrue(e.getMessage().contains("secure_count(*)"), e.getMessage());
  }

  @Test
  void secureCountStarCountsEveryRowAsCountStarDoes() {
    // raw has rows whose every aggregated column is NULL: count(*) counts them, count(col) does not
    for (String f : List.of("secure_count", "spu.system.secure_count", "SECURE_COUNT")) {
      Dataset<Row> plain = spark.sql("SELECT g, count(*) AS c FROM raw GROUP BY g");
      TestData.assertSameResult(plain, spark.sql("SELECT g, " + f + "( * ) AS c FROM v GROUP BY g"));
      assertEquals(List.of(AggKind.COUNT_STAR), table.lastQuery.aggregates().stream().map(a -> a.kind()).toList(), f);
    }
    long all = spark.table("raw").count();
    assertEquals(all, spark.sql("SELECT (SELECT secure_count(*) FROM v) AS c").first().getLong(0), "in a scalar subquery");
    assertEquals(all, spark.sql("WITH t AS (SELECT secure_count(*) AS c FROM v) SELECT c FROM t").first().getLong(0), "in a CTE");
    assertEquals(all, spark.sql("SELECT secure_count(*) FROM v WHERE qty > ?", new Object[] {-1e9}).first().getLong(0)
        + spark.sql("SELECT secure_count(*) FROM v WHERE NOT (qty > ?) OR qty IS NULL", new Object[] {-1e9}).first().getLong(0),
        "with parameters");
  }

  private static void assertRefused(String sql, String column, String why) {
    int before = table.executions.get();
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> spark.sql(sql).collect(), sql);
    assertEquals(column, e.column(), sql + ": " + e.getMessage());
    assertTrue(e.getMessage().contains(why), sql + ": " + e.getMessage());
    assertEquals(before, table.executions.get(), "nothing ran for " + sql);
  }

  @Test
  void tableValidationRefusesBeforeRunning() {
    PlainTable strict = new PlainTable("strict", spark.table("raw"), "g2");
    SpuTableRegistry.register("strict", strict);
    Dataset<Row> df = spark.read().format("spu").option("table", "strict").load().groupBy("g2").count();
    SpuQueryException e = assertThrows(SpuQueryException.class, df::collect);
    assertEquals("g2", e.column());
    assertEquals(0, strict.executions.get());
  }

  @Test
  void secureFunctionsNeverEvaluateInPlaintext() {
    for (String q : List.of("SELECT secure_sum(id) FROM range(10)", "SELECT spu.system.secure_max(id) FROM range(10)",
        "SELECT g, secure_avg(qty) FROM raw GROUP BY g")) {
      SpuQueryException e = assertThrows(SpuQueryException.class, () -> spark.sql(q).collect(), q);
      assertTrue(e.getMessage().contains("can only run over a spu table"), e.getMessage());
    }
    SecureAggregateFunction.Bound f = (SecureAggregateFunction.Bound) SpuCatalog.function("secure_sum")
        .bind(new StructType().add("x", DataTypes.LongType));
    assertThrows(SpuQueryException.class, f::newAggregationState);
    assertThrows(SpuQueryException.class, () -> f.update(null, null));
    assertThrows(SpuQueryException.class, () -> f.merge(null, null));
    assertThrows(SpuQueryException.class, () -> f.produceResult(null));
  }

  @Test
  void functionResultTypesAreSparks() {
    Dataset<Row> secure = spark.sql("SELECT secure_sum(qty), secure_sum(n), secure_sum(price), secure_count(g2), secure_avg(qty), "
        + "secure_avg(n), secure_min(dt), secure_max(qty), secure_var_samp(n), secure_stddev_samp(qty) FROM v");
    Dataset<Row> plain = spark.sql("SELECT sum(qty), sum(n), sum(price), count(g2), avg(qty), avg(n), min(dt), max(qty), var_samp(n), "
        + "stddev_samp(qty) FROM raw");
    TestData.assertSameResult(plain, secure);
    assertThrows(Exception.class, () -> spark.sql("SELECT secure_sum(g2) FROM v").collect(), "no sum of strings");
  }

  @Test
  void catalogListsTheSevenFunctions() throws Exception {
    long listed = spark.sql("SHOW FUNCTIONS IN spu.system").collectAsList().stream()
        .filter(r -> r.getString(0).startsWith("spu.system.secure_")).count();
    assertEquals(7, listed);
    assertEquals(7, new SpuCatalog().listFunctions(new String[] {"system"}).length);
  }
}

package org.sparkspu.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkspu.spark.horizontal.HorizontalTable;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.sql.PlainTable;
import org.sparkspu.spark.sql.TestData;

/**
 * The SecureFrame API end to end over the plaintext-Spark fake table (the horizontal table of a
 * union is replaced by {@link PlainTable} over the union of the parties' rows): results against
 * plaintext Spark, refusals, receivers, explain, profile, SQL over its view. The same API over real
 * MPC: {@link org.sparkspu.spark.sql.SecureSqlEndToEndTest}.
 */
class SecureFrameTest {
  static SparkSession spark;
  static Dataset<Row> a;
  static Dataset<Row> b;
  static Dataset<Row> c;
  static List<PlainTable> unions = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    spark = TestData.session("SecureFrameTest");
    a = TestData.table(spark, 80, 1, 0).cache();
    b = TestData.table(spark, 90, 2, 1000).cache();
    c = TestData.table(spark, 70, 3, 2000).cache();
    a.union(b).union(c).createOrReplaceTempView("allrows");
    SecureFrame.horizontalTables = (name, parties) -> {
      Dataset<Row> rows = parties.get(0);
      for (int p = 1; p < parties.size(); p++) rows = rows.union(parties.get(p));
      PlainTable t = new PlainTable(name, rows);
      unions.add(t);
      return t;
    };
  }

  @AfterAll
  static void stop() {
    SecureFrame.horizontalTables = HorizontalTable::new; // later test classes in this JVM run real MPC
    spark.stop();
  }

  private static SecureFrame threeParties() {
    return SecureFrame.union(SecureFrame.own(spark, 0, a), SecureFrame.own(spark, 1, b), SecureFrame.own(spark, 2, c));
  }

  @Test
  void groupByAggRevealMatchesPlaintextSpark() {
    Dataset<Row> r = threeParties().filter("qty > 0").groupBy("g")
        .agg(SecureAgg.sum("qty"), SecureAgg.avg(expr("price * n")).as("x"), SecureAgg.countAll(), SecureAgg.min("dt"),
            SecureAgg.max("price"), SecureAgg.varSamp("price"), SecureAgg.stddevSamp(col("qty")), SecureAgg.count("n"))
        .reveal();
    assertArrayEquals(new String[] {"g", "secure_sum(qty)", "x", "secure_count(*)", "secure_min(dt)", "secure_max(price)",
        "secure_var_samp(price)", "secure_stddev_samp(qty)", "secure_count(n)"}, r.columns());
    TestData.assertSameResult(spark.sql("SELECT g, sum(qty), avg(price * n), count(*), min(dt), max(price), var_samp(price), "
        + "stddev_samp(qty), count(n) FROM allrows WHERE qty > 0 GROUP BY g"), r);
  }

  @Test
  void filterSelectWithColumnAndGlobalAggregates() {
    SecureFrame f = threeParties();
    Dataset<Row> r = f.filter(col("n").gt(1)).withColumn("rev", expr("qty * n")).select("g2", "rev").groupBy("g2")
        .agg(SecureAgg.sum("rev"), SecureAgg.avg("rev")).reveal();
    TestData.assertSameResult(spark.sql("SELECT g2, sum(qty * n), avg(qty * n) FROM allrows WHERE n > 1 GROUP BY g2"), r);
    Dataset<Row> global = f.where("dt < DATE '2024-02-01' AND g2 IN ('a', 'b')").agg(SecureAgg.sum("price"), SecureAgg.countAll()).reveal();
    TestData.assertSameResult(spark.sql("SELECT sum(price), count(*) FROM allrows WHERE dt < DATE '2024-02-01' AND g2 IN ('a', 'b')"),
        global);
    Dataset<Row> two = f.groupBy("g", "g2").agg(SecureAgg.max("qty")).reveal();
    TestData.assertSameResult(spark.sql("SELECT g, g2, max(qty) FROM allrows GROUP BY g, g2"), two);
  }

  @Test
  void operationsAfterTheAggregationRunOnRevealedRows() {
    Dataset<Row> r = threeParties().groupBy("g").agg(SecureAgg.sum("qty").as("s")).filter("s > 1000").orderBy("g").reveal();
    List<Row> expected = spark.sql("SELECT g, sum(qty) AS s FROM allrows GROUP BY g HAVING s > 1000 ORDER BY g").collectAsList();
    assertEquals(expected, r.collectAsList());
  }

  @Test
  void unionJoinsPartiesOfOneSchemaOnly() {
    SpuQueryException e = assertThrows(SpuQueryException.class,
        () -> SecureFrame.union(SecureFrame.own(spark, 0, a), SecureFrame.own(spark, 1, b.withColumn("n", col("n").cast("long")))));
    assertEquals("n", e.column());
    e = assertThrows(SpuQueryException.class, () -> SecureFrame.own(spark, 0, a).union(SecureFrame.own(spark, 1, b.drop("price"))));
    assertEquals("price", e.column());
    assertThrows(SpuQueryException.class, () -> SecureFrame.own(spark, 0, a).filter("n > 1").union(SecureFrame.own(spark, 1, b)));
    assertThrows(SpuQueryException.class, () -> SecureFrame.own(spark, 3, a), "aby3 has parties 0..2");
    Row twice = SecureFrame.own(spark, 0, a).union(SecureFrame.own(spark, 0, c)).agg(SecureAgg.countAll()).reveal().first();
    assertEquals(150L, twice.getLong(0));
    Row alone = SecureFrame.own(spark, 1, b).agg(SecureAgg.countAll()).reveal().first();
    assertEquals(90L, alone.getLong(0));
  }

  @Test
  void revealGoesToTheNamedPartiesOnly() {
    PlainTable t = new PlainTable("receivers", spark.table("allrows"));
    t.self = 1;
    SecureFrame f = SecureFrame.of(spark, t).groupBy("g2").agg(SecureAgg.sum("qty"));
    assertEquals(0, f.reveal(0).count(), "party 1 does not receive a result revealed to party 0");
    assertArrayEquals(new int[] {0}, t.lastReceivers);
    assertTrue(f.reveal(1, 2).count() > 0);
    assertArrayEquals(new int[] {1, 2}, t.lastReceivers);
    assertTrue(f.reveal().count() > 0);
    assertNull(t.lastReceivers);
    assertThrows(SpuQueryException.class, () -> f.reveal(7));
  }

  @Test
  void revealOfRowsIsRefusedNamingTheColumn() {
    SecureFrame f = threeParties();
    assertEquals("id", assertThrows(SpuQueryException.class, f::reveal).column());
    assertEquals("qty", assertThrows(SpuQueryException.class, () -> f.select("qty").reveal()).column());
    assertEquals("g", assertThrows(SpuQueryException.class, () -> f.filter("qty > 1").select("g", "price").reveal()).column());
    SpuQueryException e = assertThrows(SpuQueryException.class,
        () -> f.filter("upper(g2) = 'A'").agg(SecureAgg.sum("qty")).reveal());
    assertEquals("g2", e.column());
    assertTrue(e.getMessage().contains("UPPER"), e.getMessage());
    e = assertThrows(SpuQueryException.class, () -> f.agg(SecureAgg.sum(expr("qty / n"))).reveal());
    assertEquals("qty", e.column());
  }

  @Test
  void explainShowsTheQueryItsProgramAndWhatIsRevealedWithoutRunning() {
    PlainTable t = new PlainTable("explained", spark.table("allrows"));
    SecureFrame f = SecureFrame.of(spark, t).filter("qty > 5").groupBy("g").agg(SecureAgg.sum("qty")).orderBy("g");
    String text = f.explain();
    assertTrue(text.contains("PLAIN TEST PROGRAM"), text);
    assertTrue(text.contains("(`qty` > CAST('5.00' AS DECIMAL(12,2)))"), text);
    assertTrue(text.contains("GROUP BY `g`"), text);
    assertTrue(text.contains("revealed to all parties"), text);
    assertTrue(text.contains("Sort"), text);
    assertEquals(0, t.executions.get(), "explain ran the query");
    assertEquals("id", assertThrows(SpuQueryException.class, () -> SecureFrame.of(spark, t).explain()).column(),
        "a frame without aggregation is no secure query");
  }

  @Test
  void profileDescribesTheLastReveal() {
    SecureFrame f = threeParties().groupBy("g").agg(SecureAgg.countAll());
    assertThrows(IllegalStateException.class, f::profile);
    f.reveal();
    QueryProfile p = f.profile();
    assertEquals(7, p.rounds());
    assertEquals(300, p.maxBytesPerParty());
    assertEquals("aby3", p.protocol());
  }

  @Test
  void sqlOverTheTempViewRunsInMpc() {
    threeParties().filter("n >= 0").createOrReplaceTempView("sales");
    Dataset<Row> r = spark.sql("SELECT g2, secure_sum(qty) AS s, secure_count(1) AS c FROM sales WHERE price > 10 GROUP BY g2 ORDER BY g2");
    TestData.assertSameResult(spark.sql("SELECT g2, sum(qty) AS s, count(*) AS c FROM allrows WHERE n >= 0 AND price > 10 GROUP BY g2"), r);
    PlainTable used = unions.get(unions.size() - 1);
    assertEquals(1, used.executions.get());
    assertEquals(DataTypes.createDecimalType(22, 2), threeParties().groupBy("g").agg(SecureAgg.sum("qty")).schema().fields()[1].dataType());
  }
}

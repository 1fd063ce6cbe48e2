package org.sparkspu.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkspu.engine.link.RecordingLink;
import org.sparkspu.spark.SecureAgg;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.sql.TestData;

/**
 * secure_join end to end against plaintext Spark joins: the joined secret table is aggregated in
 * MPC (filters on one owner's column, sums of the other's, group-by over public domains) and
 * compared with the same join and aggregate in plaintext Spark. Integer and DECIMAL aggregates are
 * exact, so results must be equal. aby3 (3 parties, also a chained 3-owner join) and semi2k (2
 * parties); int, long, string, date and composite keys; nulls; 1:N both ways; N:M refused.
 */
class SecureJoinTest {
  static SparkSession spark;
  @TempDir static java.nio.file.Path dir;

  static final StructType ORDERS = new StructType()
      .add("orderkey", DataTypes.LongType, true)
      .add("custkey", DataTypes.IntegerType, true)
      .add("priority", DataTypes.StringType, true)
      .add("total", DataTypes.createDecimalType(12, 2), true);
  static final StructType LINES = new StructType()
      .add("orderkey", DataTypes.LongType, true)
      .add("qty", DataTypes.IntegerType, true)
      .add("shipmode", DataTypes.StringType, true);
  static final StructType CUSTOMERS = new StructType()
      .add("custkey", DataTypes.IntegerType, true)
      .add("nation", DataTypes.StringType, false)
      .add("balance", DataTypes.LongType, true);

  static Dataset<Row> orders;
  static Dataset<Row> lines;
  static Dataset<Row> customers;

  @BeforeAll
  static void start() {
    spark = TestData.session("SecureJoinTest");
    spark.conf().set("spark.spu.batchRows", "1024"); // small tables: small MPC batches
    spark.conf().set(SecureJoin.JOIN_DIR, dir.toString());
    Random r = new Random(7);
    String[] prio = {"1-URGENT", "2-HIGH", "3-LOW"};
    String[] modes = {"AIR", "MAIL", "SHIP"};
    List<Row> o = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      o.add(RowFactory.create(i % 13 == 5 ? null : (long) i * 3, r.nextInt(9) == 0 ? null : r.nextInt(12), prio[r.nextInt(3)],
          r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextInt(100000), 2)));
    }
    List<Row> l = new ArrayList<>();
    for (int i = 0; i < 260; i++) {
      l.add(RowFactory.create(r.nextInt(20) == 0 ? null : (long) r.nextInt(150) * 2, r.nextInt(10) == 0 ? null : r.nextInt(50) + 1,
          modes[r.nextInt(3)]));
    }
    List<Row> c = new ArrayList<>();
    for (int i = 0; i < 10; i++) c.add(RowFactory.create(i == 3 ? null : i, "N" + (i % 3), r.nextInt(6) == 0 ? null : (long) r.nextInt(10000)));
    orders = spark.createDataFrame(o, ORDERS).repartition(3).cache();
    lines = spark.createDataFrame(l, LINES).repartition(2).cache();
    customers = spark.createDataFrame(c, CUSTOMERS).cache();
    orders.createOrReplaceTempView("orders_plain");
    lines.createOrReplaceTempView("lines_plain");
    customers.createOrReplaceTempView("customers_plain");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The same aggregate SQL over the secret join (view j) and the plaintext join (view p). */
  private static void assertSameAggregate(String selectSecure, String selectPlain, String rest) {
    Dataset<Row> secure = spark.sql("SELECT " + selectSecure + " FROM j " + rest);
    Dataset<Row> plain = spark.sql("SELECT " + selectPlain + " FROM p " + rest);
    TestData.assertSameResult(plain, secure);
  }

  @Test
  void oneToManyAby3MatchesPlaintextJoin() {
    SecureFrame j = SecureFrame.own(spark, 0, orders).join(SecureFrame.own(spark, 1, lines), List.of("orderkey"), "inner",
        Map.of("publicDomain", "priority,shipmode", "segmentRows", "16"));
    j.createOrReplaceTempView("j");
    spark.sql("SELECT * FROM orders_plain JOIN lines_plain USING (orderkey)").createOrReplaceTempView("p");
    long plainRows = spark.table("p").count();
    assertEquals(plainRows, j.joinReport().rows());
    assertTrue(plainRows > 32, "several segments");
    assertSameAggregate("priority, secure_sum(qty) AS s, secure_count(1) AS n, secure_sum(total) AS t",
        "priority, sum(qty) AS s, count(*) AS n, sum(total) AS t", "GROUP BY priority");
    // a filter on one owner's column, sums of the other's
    assertSameAggregate("shipmode, secure_sum(total) AS t, secure_count(total) AS n, secure_max(qty) AS mx",
        "shipmode, sum(total) AS t, count(total) AS n, max(qty) AS mx", "WHERE qty > 20 AND priority <> '3-LOW' GROUP BY shipmode");
    // plain SQL over the stored output, through the spu data source
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW j USING spu OPTIONS (path '" + j.joinReport().path() + "')");
    assertSameAggregate("priority, secure_avg(qty) AS a", "priority, avg(qty) AS a", "WHERE shipmode = 'SHIP' GROUP BY priority");
    // the DataFrame API on the same frame
    Dataset<Row> api = j.filter("shipmode = 'AIR'").agg(SecureAgg.sum("qty").as("s"), SecureAgg.countAll().as("n")).reveal();
    Row expected = spark.sql("SELECT sum(qty), count(*) FROM p WHERE shipmode = 'AIR'").first();
    assertEquals(expected.getLong(0), api.first().getLong(0));
    assertEquals(expected.getLong(1), api.first().getLong(1));
  }

  @Test
  void keysNamedDifferentlyOnTheTwoSides() {
    Dataset<Row> lineitem = lines.withColumnRenamed("orderkey", "l_orderkey");
    lineitem.createOrReplaceTempView("lineitem_renamed");
    SecureFrame j = SecureFrame.own(spark, 1, lineitem).join(SecureFrame.own(spark, 0, orders), List.of("l_orderkey"),
        List.of("orderkey"), "inner", Map.of("publicDomain", "priority"));
    j.createOrReplaceTempView("j");
    spark.sql("SELECT * FROM lineitem_renamed l JOIN orders_plain o ON l.l_orderkey = o.orderkey").createOrReplaceTempView("p");
    assertEquals(spark.table("p").count(), j.joinReport().rows());
    assertSameAggregate("priority, secure_sum(qty) AS s, secure_count(1) AS n", "priority, sum(qty) AS s, count(*) AS n",
        "GROUP BY priority");
    // SQL: keys 'left = right'
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW j USING spu OPTIONS (secureJoin 'orders_plain@0, lineitem_renamed@1',"
        + " keys 'orderkey = l_orderkey')");
    assertSameAggregate("secure_sum(total) AS t, secure_max(qty) AS m", "sum(total) AS t, max(qty) AS m", "WHERE shipmode = 'AIR'");
    // a new name that the table already has is refused, naming it
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> SecureFrame.own(spark, 0, orders)
        .join(SecureFrame.own(spark, 1, lines.withColumnRenamed("qty", "custkey")), List.of("custkey"), List.of("orderkey"), "inner",
            Map.of()));
    assertTrue(e.getMessage().contains("custkey"), e.getMessage());
  }

  @Test
  void sqlViewRunsTheJoin() {
    int before = SecureJoinSql.joinsRun.get();
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW j USING spu OPTIONS (secureJoin 'orders_plain@0, lines_plain@2',"
        + " keys 'orderkey', publicDomain 'priority')");
    spark.sql("SELECT * FROM orders_plain JOIN lines_plain USING (orderkey)").createOrReplaceTempView("p");
    assertSameAggregate("priority, secure_sum(qty) AS s, secure_count(total) AS n", "priority, sum(qty) AS s, count(total) AS n",
        "WHERE shipmode = 'MAIL' GROUP BY priority");
    assertSameAggregate("priority, secure_min(total) AS m", "priority, min(total) AS m", "GROUP BY priority");
    assertEquals(before + 1, SecureJoinSql.joinsRun.get(), "the view's join ran once for all its queries");
    // chained from SQL: the first join's output as the left side
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW j1 USING spu OPTIONS (secureJoin 'orders_plain@0, lines_plain@1', keys 'orderkey',"
        + " path '" + dir.resolve("sql-j1") + "')");
    spark.sql("SELECT secure_sum(qty) FROM j1").collect();
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW j USING spu OPTIONS (secureJoin 'store:" + dir.resolve("sql-j1")
        + ", customers_plain@2', keys 'custkey', publicDomain 'nation')");
    spark.sql("SELECT * FROM orders_plain JOIN lines_plain USING (orderkey) JOIN customers_plain USING (custkey)")
        .createOrReplaceTempView("p");
    assertSameAggregate("nation, secure_sum(qty) AS q, secure_count(1) AS n", "nation, sum(qty) AS q, count(*) AS n", "GROUP BY nation");
    SpuQueryException bad = assertThrows(SpuQueryException.class,
        () -> spark.sql("CREATE OR REPLACE TEMPORARY VIEW bad USING spu OPTIONS (secureJoin 'orders_plain', keys 'orderkey')"));
    assertTrue(bad.getMessage().contains("two sides"), bad.getMessage());
  }

  @Test
  void semi2kTwoPartiesManySideOnTheLeft() {
    spark.conf().set("spark.spu.protocol", "semi2k");
    spark.conf().set("spark.spu.parties", "2");
    try {
      SecureFrame j = SecureFrame.secureJoin(SecureFrame.own(spark, 0, lines), SecureFrame.own(spark, 1, orders), List.of("orderkey"),
          "inner", Map.of("publicDomain", "shipmode"));
      j.createOrReplaceTempView("j");
      spark.sql("SELECT * FROM lines_plain JOIN orders_plain USING (orderkey)").createOrReplaceTempView("p");
      assertSameAggregate("shipmode, secure_sum(qty) AS s, secure_sum(total) AS t, secure_count(custkey) AS n",
          "shipmode, sum(qty) AS s, sum(total) AS t, count(custkey) AS n", "WHERE custkey < 6 GROUP BY shipmode");
    } finally {
      spark.conf().set("spark.spu.protocol", "aby3");
      spark.conf().set("spark.spu.parties", "3");
    }
  }

  /** Two 1:1 tables with keys of the given columns; {@code overlap} of party 1's keys are party 0's. */
  private static void keyTypeCase(StructType keySchema, java.util.function.IntFunction<Object[]> key, int n0, int n1, int shift) {
    StructType s0 = keySchema.add("a", DataTypes.IntegerType, true).add("g", DataTypes.StringType, false);
    StructType s1 = keySchema.add("b", DataTypes.LongType, true);
    List<Row> r0 = new ArrayList<>(), r1 = new ArrayList<>();
    Random r = new Random(n0 * 31L + n1);
    for (int i = 0; i < n0; i++) r0.add(row(key.apply(i), r.nextInt(9) == 0 ? null : r.nextInt(1000), "g" + (i % 2)));
    for (int i = 0; i < n1; i++) r1.add(row(key.apply(i + shift), (long) r.nextInt(1 << 20)));
    Dataset<Row> d0 = spark.createDataFrame(r0, s0), d1 = spark.createDataFrame(r1, s1);
    List<String> keys = List.of(keySchema.fieldNames());
    SecureFrame j = SecureFrame.own(spark, 0, d0).join(SecureFrame.own(spark, 2, d1), keys, "inner", Map.of("publicDomain", "g"));
    j.createOrReplaceTempView("j");
    d0.join(d1, scala.jdk.javaapi.CollectionConverters.asScala(keys).toSeq(), "inner").createOrReplaceTempView("p");
    long expectRows = spark.table("p").count();
    assertEquals(expectRows, j.joinReport().rows(), "joined rows");
    if (expectRows > 0) {
      assertSameAggregate("g, secure_sum(a) AS sa, secure_sum(b) AS sb, secure_count(1) AS n",
          "g, sum(a) AS sa, sum(b) AS sb, count(*) AS n", "GROUP BY g");
    }
  }

  private static Row row(Object[] key, Object... rest) {
    Object[] v = new Object[key.length + rest.length];
    System.arraycopy(key, 0, v, 0, key.length);
    System.arraycopy(rest, 0, v, key.length, rest.length);
    return RowFactory.create(v);
  }

  @Test
  void keyTypesIntStringDateCompositeWithNulls() {
    keyTypeCase(new StructType().add("k", DataTypes.IntegerType, true), i -> new Object[] {i % 17 == 3 ? null : i}, 40, 50, 25);
    keyTypeCase(new StructType().add("k", DataTypes.StringType, true),
        i -> new Object[] {i % 11 == 0 ? null : "key-" + i + (i % 2 == 0 ? "é" : "")}, 30, 30, 10);
    keyTypeCase(new StructType().add("d", DataTypes.DateType, true),
        i -> new Object[] {i % 9 == 4 ? null : Date.valueOf(LocalDate.of(1998, 1, 1).plusDays(i * 3L))}, 30, 40, 5);
    keyTypeCase(new StructType().add("s", DataTypes.StringType, true).add("n", DataTypes.IntegerType, true),
        i -> new Object[] {"c" + (i % 5), i % 13 == 1 ? null : i / 5}, 40, 40, 7);
  }

  /** Keys of different integer widths, or decimals of different scales, match by value as in Spark's join. */
  @Test
  void keysOfDifferentIntegerWidthsAndDecimalScales() {
    for (String[] types : new String[][] {{"int", "bigint"}, {"decimal(10,1)", "decimal(12,2)"}}) {
      Dataset<Row> d0 = spark.sql("SELECT CAST(id / 2 AS " + types[0] + ") AS k, CAST(id AS INT) AS a, CONCAT('g', id % 2) AS g"
          + " FROM range(0, 40)").dropDuplicates("k");
      Dataset<Row> d1 = spark.sql("SELECT CAST(id / 2 AS " + types[1] + ") AS k, id * 7 AS b FROM range(10, 70)");
      SecureFrame.own(spark, 0, d0).join(SecureFrame.own(spark, 1, d1), List.of("k"), "inner", Map.of("publicDomain", "g"))
          .createOrReplaceTempView("j");
      d0.join(d1, "k").createOrReplaceTempView("p");
      assertTrue(spark.table("p").count() > 10, "the plaintext join matches keys across the two types");
      assertSameAggregate("g, secure_sum(a) AS sa, secure_sum(b) AS sb, secure_count(1) AS n",
          "g, sum(a) AS sa, sum(b) AS sb, count(*) AS n", "GROUP BY g");
    }
  }

  @Test
  void emptyAndFullIntersections() {
    StructType k = new StructType().add("k", DataTypes.LongType, true);
    keyTypeCase(k, i -> new Object[] {(long) i}, 20, 30, 1000); // disjoint
    // secure aggregates over the empty joined table run: no rows, so no sum
    List<Row> empty = spark.sql("SELECT secure_sum(a), secure_sum(b), secure_count(1) FROM j").collectAsList();
    assertEquals(1, empty.size());
    assertTrue(empty.get(0).isNullAt(0) && empty.get(0).isNullAt(1), empty.toString());
    assertTrue(empty.get(0).isNullAt(2) || empty.get(0).getLong(2) == 0, empty.toString());
    keyTypeCase(k, i -> new Object[] {(long) i}, 25, 25, 0); // equal key sets
  }

  @Test
  void explicitPathAndAnEmptyTable() {
    String path = dir.resolve("explicit").toString();
    SecureFrame e = SecureFrame.own(spark, 1, orders.limit(0)).join(SecureFrame.own(spark, 0, lines), List.of("orderkey"), "inner",
        Map.of("path", path));
    assertEquals(path, e.joinReport().path());
    assertTrue(SecureFrame.own(spark, 0, orders).join(SecureFrame.own(spark, 1, lines), "orderkey").joinReport().path()
        .startsWith(dir.toString()), "default outputs go under spark.spu.joinDir");
    assertEquals(0, e.joinReport().rows());
    assertEquals(0, e.joinReport().leftKeys());
    SpuQueryException exists = assertThrows(SpuQueryException.class, () -> SecureFrame.own(spark, 1, orders)
        .join(SecureFrame.own(spark, 0, lines), List.of("orderkey"), "inner", Map.of("path", path)));
    assertTrue(exists.getMessage().contains("mode=overwrite"), exists.getMessage());
    SecureFrame again = SecureFrame.own(spark, 1, orders).join(SecureFrame.own(spark, 0, lines), List.of("orderkey"), "inner",
        Map.of("path", path, "mode", "overwrite"));
    spark.sql("SELECT * FROM orders_plain JOIN lines_plain USING (orderkey)").createOrReplaceTempView("p");
    assertEquals(spark.table("p").count(), again.joinReport().rows());
    again.createOrReplaceTempView("j");
    assertSameAggregate("secure_sum(qty) AS s, secure_sum(total) AS t", "sum(qty) AS s, sum(total) AS t", "");
  }

  @Test
  void refusals() {
    SecureFrame o = SecureFrame.own(spark, 0, orders), l = SecureFrame.own(spark, 1, lines);
    SpuQueryException nm = assertThrows(SpuQueryException.class,
        () -> SecureFrame.own(spark, 0, lines).join(SecureFrame.own(spark, 1, lines), "orderkey"));
    assertTrue(nm.getMessage().contains("orderkey") && nm.getMessage().contains("N:M"), nm.getMessage());
    SpuQueryException how = assertThrows(SpuQueryException.class, () -> o.join(l, List.of("orderkey"), "left"));
    assertTrue(how.getMessage().contains("inner"), how.getMessage());
    Dataset<Row> stringKeys = lines.withColumn("orderkey", lines.col("orderkey").cast("string"));
    SpuQueryException type = assertThrows(SpuQueryException.class, () -> o.join(SecureFrame.own(spark, 1, stringKeys), "orderkey"));
    assertTrue(type.getMessage().contains("'orderkey'") && type.getMessage().contains("STRING"), type.getMessage());
    SpuQueryException missing = assertThrows(SpuQueryException.class, () -> o.join(l, "custkey"));
    assertTrue(missing.getMessage().contains("custkey"), missing.getMessage());
    SpuQueryException same = assertThrows(SpuQueryException.class, () -> o.join(SecureFrame.own(spark, 0, lines), "orderkey"));
    assertTrue(same.getMessage().contains("party 0"), same.getMessage());
    SpuQueryException dbl = assertThrows(SpuQueryException.class, () -> SecureFrame.own(spark, 0, orders.withColumn("x",
        orders.col("total").cast("double"))).join(SecureFrame.own(spark, 1, lines.withColumn("x", lines.col("qty").cast("double"))), "x"));
    assertTrue(dbl.getMessage().contains("'x'") && dbl.getMessage().contains("DOUBLE"), dbl.getMessage());
    SpuQueryException dom = assertThrows(SpuQueryException.class,
        () -> o.join(l, List.of("orderkey"), "inner", Map.of("publicDomain", "orderkey")));
    assertTrue(dom.getMessage().contains("join key"), dom.getMessage());
    SpuQueryException rev = assertThrows(SpuQueryException.class, () -> spark.sql("SELECT qty FROM j").collect());
    assertFalse(rev.getMessage().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"aby3", "semi2k"})
  void chainedJoinOfThreeOwners(String protocol) {
    spark.conf().set("spark.spu.protocol", protocol);
    spark.conf().set("spark.spu.parties", "3");
    try {
      // (orders of party 0 JOIN lines of party 1 ON orderkey) JOIN customers of party 2 ON custkey, a column of party 0
      SecureFrame j1 = SecureFrame.own(spark, 0, orders).join(SecureFrame.own(spark, 1, lines), "orderkey");
      SecureFrame j2 = j1.join(SecureFrame.own(spark, 2, customers), List.of("custkey"), "inner", Map.of("publicDomain", "nation"));
      j2.createOrReplaceTempView("j");
      spark.sql("SELECT * FROM orders_plain JOIN lines_plain USING (orderkey) JOIN customers_plain USING (custkey)")
          .createOrReplaceTempView("p");
      assertEquals(spark.table("p").count(), j2.joinReport().rows());
      assertEquals(0, j2.joinReport().leftKeyOwner());
      assertSameAggregate("nation, secure_sum(qty) AS q, secure_sum(total) AS t, secure_sum(balance) AS b, secure_count(1) AS n",
          "nation, sum(qty) AS q, sum(total) AS t, sum(balance) AS b, count(*) AS n", "WHERE shipmode <> 'MAIL' GROUP BY nation");
      // keys held by two different owners of a join output are refused
      SpuQueryException split = assertThrows(SpuQueryException.class,
          () -> j1.join(SecureFrame.own(spark, 2, orders.join(lines, "orderkey")), "custkey", "shipmode"));
      assertTrue(split.getMessage().contains("different parties"), split.getMessage());
    } finally {
      spark.conf().set("spark.spu.protocol", "aby3");
    }
  }

  @Test
  void peerNeverReceivesNonMatchingKeys() {
    List<List<String>> shapes = new ArrayList<>();
    for (String variant : List.of("x", "y")) {
      List<Row> a = new ArrayList<>(), b = new ArrayList<>();
      for (int i = 0; i < 40; i++) a.add(RowFactory.create(i < 10 ? "shared-" + i : "only-left-" + variant + "-" + i, i));
      for (int i = 0; i < 30; i++) b.add(RowFactory.create(i < 10 ? "shared-" + i : "only-right-" + variant + "-" + i, (long) i));
      Dataset<Row> da = spark.createDataFrame(a, new StructType().add("k", DataTypes.StringType).add("a", DataTypes.IntegerType));
      Dataset<Row> db = spark.createDataFrame(b, new StructType().add("k", DataTypes.StringType).add("b", DataTypes.LongType));
      Map<Integer, RecordingLink> links = new java.util.concurrent.ConcurrentHashMap<>();
      spark.conf().set("spark.spu.link", "memory");
      JoinPsi.linkDecorator = link -> links.computeIfAbsent(link.self(), s -> new RecordingLink(link));
      try {
        SecureFrame j = SecureFrame.own(spark, 0, da).join(SecureFrame.own(spark, 1, db), "k");
        assertEquals(10, j.joinReport().rows());
      } finally {
        JoinPsi.linkDecorator = java.util.function.UnaryOperator.identity();
        spark.conf().unset("spark.spu.link");
      }
      assertFalse(links.containsKey(2), "party 2 owns no key and takes no part in PSI");
      for (int party : List.of(0, 1)) {
        String peerPrefix = party == 0 ? "only-right-" : "only-left-";
        List<RecordingLink.Received> got = links.get(party).received();
        assertFalse(got.isEmpty());
        for (RecordingLink.Received m : got) {
          assertFalse(contains(m.asBytes(), peerPrefix.getBytes(StandardCharsets.UTF_8)), "party " + party + " received a peer key in " + m.tag());
          assertFalse(contains(m.asBytes(), "shared-".getBytes(StandardCharsets.UTF_8)), "party " + party + " received a key in " + m.tag());
        }
      }
      // What a party receives depends on the set sizes only: the same message tags and sizes for other key values.
      List<String> shape = new ArrayList<>();
      for (int party : List.of(0, 1)) {
        for (RecordingLink.Received m : links.get(party).received()) shape.add(party + ":" + m.tag() + ":" + m.length());
      }
      shapes.add(shape);
      // the documented traffic (Psi's javadoc): the follower (party 1) gets the leader's 40 points (32 bytes each) and
      // 4 bytes per match; the leader gets the follower's 30 points and 16-byte tags of its own 40; plus a small handshake
      assertTraffic(links.get(1), 40 * 32 + 10 * 4);
      assertTraffic(links.get(0), 30 * 32 + 40 * 16);
    }
    assertEquals(shapes.get(0), shapes.get(1));
  }

  private static void assertTraffic(RecordingLink link, long predicted) {
    long bytes = 0;
    for (RecordingLink.Received m : link.received()) bytes += m.length();
    assertTrue(bytes >= predicted && bytes <= predicted + 256, "party " + link.self() + " received " + bytes + " bytes, predicted "
        + predicted + " plus a handshake");
  }

  static boolean contains(byte[] hay, byte[] needle) {
    if (hay == null) return false;
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }
}

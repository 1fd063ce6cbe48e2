package org.sparkspu.spark.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.join.SecureJoin;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.sql.SpuQueryLog;
import org.sparkspu.spark.sql.TestData;

/**
 * Single-owner predicates on a secure_join output evaluated by their owner (spark.spu.localEvaluation):
 * every query equals plaintext Spark over the plaintext join, with local evaluation on and off;
 * the profile names the local predicates and their parties; only the owner's program reads its
 * masks; predicates mixing owners, NULLs in a local predicate's column, NOT/OR, CASE WHEN
 * conditions, a count whose whole filter is local (a private output) and GROUP BY one-hots of
 * one or two owners (with a NULL key) are covered. aby3 (owners
 * 0 and 1, party 2 holds only shares) and semi2k with 2 parties.
 */
class LocalPredicatesTest {
  static SparkSession spark;
  @org.junit.jupiter.api.io.TempDir static java.nio.file.Path dir;

  static final StructType ORDERS = new StructType()
      .add("orderkey", DataTypes.LongType, true)
      .add("priority", DataTypes.StringType, true)
      .add("total", DataTypes.createDecimalType(12, 2), true);
  static final StructType LINES = new StructType()
      .add("orderkey", DataTypes.LongType, true)
      .add("qty", DataTypes.IntegerType, true)
      .add("shipmode", DataTypes.StringType, true)
      .add("sdate", DataTypes.DateType, true)
      .add("disc", DataTypes.DoubleType, true);

  @BeforeAll
  static void start() {
    spark = TestData.session("LocalPredicatesTest");
    spark.conf().set("spark.spu.batchRows", "64"); // several batches, the last one padded
    spark.conf().set("spark.spu.link", "memory"); // parties on in-memory links: faster sessions
    spark.conf().set(SecureJoin.JOIN_DIR, dir.toString());
    Random r = new Random(11);
    String[] prio = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-LOW"};
    String[] modes = {"AIR", "MAIL", "SHIP", "RAIL"};
    List<Row> o = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      o.add(RowFactory.create((long) i, r.nextInt(10) == 0 ? null : prio[r.nextInt(4)],
          r.nextInt(7) == 0 ? null : BigDecimal.valueOf(r.nextInt(100000), 2)));
    }
    List<Row> l = new ArrayList<>();
    LocalDate d0 = LocalDate.of(1994, 1, 1);
    for (int i = 0; i < 230; i++) {
      l.add(RowFactory.create((long) r.nextInt(80), r.nextInt(8) == 0 ? null : r.nextInt(50) + 1, modes[r.nextInt(4)],
          r.nextInt(9) == 0 ? null : java.sql.Date.valueOf(d0.plusDays(r.nextInt(400))), r.nextInt(6) == 0 ? null : r.nextInt(11) / 100.0));
    }
    Dataset<Row> orders = spark.createDataFrame(o, ORDERS).repartition(2).cache();
    Dataset<Row> lines = spark.createDataFrame(l, LINES).repartition(3).cache();
    orders.createOrReplaceTempView("orders_plain");
    lines.createOrReplaceTempView("lines_plain");
    spark.sql("SELECT * FROM orders_plain JOIN lines_plain USING (orderkey)").createOrReplaceTempView("p");
  }

  @AfterAll
  static void stop() {
    LocalPredicates.onRead = null;
    spark.stop();
  }

  /** A query (secure aggregate over j, plaintext over p) and the parties that own its local predicates (0: orders, 1: lines). */
  private record Case(String secure, String plain, String rest, int locals, Set<Integer> owners) {}

  private static final List<Case> CASES = List.of(
      // Q12-like: lineitem-side filter conjuncts, CASE over the orders-side priority, GROUP BY a lineitem-side public domain
      new Case("shipmode, secure_sum(CASE WHEN priority IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END) AS high,"
          + " secure_sum(CASE WHEN NOT (priority IN ('1-URGENT', '2-HIGH')) THEN 1 ELSE 0 END) AS low",
          "shipmode, sum(CASE WHEN priority IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END) AS high,"
          + " sum(CASE WHEN NOT (priority IN ('1-URGENT', '2-HIGH')) THEN 1 ELSE 0 END) AS low",
          "WHERE shipmode IN ('MAIL', 'SHIP') AND sdate >= DATE '1994-03-01' AND sdate < DATE '1994-12-01' AND qty < 40"
              + " GROUP BY shipmode", 4, Set.of(0, 1)), // 3 predicates and shipmode's one-hot
      // a conjunct mixing both owners stays in MPC; the other one (NULLs in total) is local at the orders owner
      new Case("shipmode, secure_sum(qty) AS s, secure_count(total) AS n", "shipmode, sum(qty) AS s, count(total) AS n",
          "WHERE total > 300 AND (qty > 10 OR priority = '4-LOW') GROUP BY shipmode", 2, Set.of(0, 1)),
      // NOT / OR of one owner's columns (NULLs: NOT (NULL > 20) is NULL, not kept), a whole local filter and a count: a private output
      new Case("secure_count(1) AS n", "count(*) AS n", "WHERE NOT (qty > 20) OR disc IS NULL", 1, Set.of(1)),
      new Case("secure_sum(total) AS t, secure_min(qty) AS mn, secure_max(sdate) AS mx",
          "sum(total) AS t, min(qty) AS mn, max(sdate) AS mx", "WHERE disc >= 0.04 AND sdate IS NOT NULL", 1, Set.of(1)),
      // arithmetic over two owners inside a comparison: MPC; the CASE condition on one owner: local
      new Case("shipmode, secure_sum(CASE WHEN disc > 0.05 THEN qty * 2 ELSE 0 END) AS s",
          "shipmode, sum(CASE WHEN disc > 0.05 THEN qty * 2 ELSE 0 END) AS s", "WHERE total * 2 > qty * 100 GROUP BY shipmode", 4,
          Set.of(0, 1)), // Spark adds isnotnull(total) AND isnotnull(qty): one local conjunct per owner, and the one-hot
      // two GROUP BY columns of two owners, one-hot encoded by each (priority has a NULL key); its product is in MPC
      new Case("priority, shipmode, secure_sum(qty) AS s, secure_count(1) AS n, secure_max(total) AS mx",
          "priority, shipmode, sum(qty) AS s, count(*) AS n, max(total) AS mx", "GROUP BY priority, shipmode", 2, Set.of(0, 1)));

  @org.junit.jupiter.api.Test
  void settingIsTrueFalseOrAbsent() {
    assertTrue(SpuConf.localEvaluation(k -> null));
    assertFalse(SpuConf.localEvaluation(k -> k.equals(SpuConf.LOCAL_EVALUATION) ? "FALSE" : null));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> SpuConf.localEvaluation(k -> "maybe"));
    assertTrue(e.getMessage().contains(SpuConf.LOCAL_EVALUATION), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"aby3", "semi2k"})
  void sameResultsLocallyAndInMpcAsPlaintext(String protocol) {
    int parties = protocol.equals("aby3") ? 3 : 2;
    spark.conf().set("spark.spu.protocol", protocol);
    spark.conf().set("spark.spu.parties", Integer.toString(parties));
    ConcurrentLinkedQueue<String> reads = new ConcurrentLinkedQueue<>();
    LocalPredicates.onRead = (party, folder) -> reads.add(party + " " + folder);
    try {
      SecureFrame j = SecureFrame.own(spark, 0, spark.table("orders_plain")).join(SecureFrame.own(spark, 1, spark.table("lines_plain")),
          List.of("orderkey"), "inner", Map.of("publicDomain", "shipmode,priority", "path", dir.resolve("j-" + protocol).toString()));
      j.createOrReplaceTempView("j");
      String root = j.joinReport().path();
      // explain (compiled, not run) names the local predicate and the one-hot, and runs nothing locally
      spark.conf().set(SpuConf.LOCAL_EVALUATION, "true");
      String ex = j.filter("qty > 10").groupBy("shipmode").agg(org.sparkspu.spark.SecureAgg.sum("total")).explain();
      assertTrue(ex.contains("local at party 1 (plaintext rows of private-g1-party-1, private 0/1 input lm:0): ") && ex.contains("(`qty` > ")
          && ex.contains("GROUP BY `shipmode` index"), ex);
      assertTrue(reads.isEmpty(), "explain reads no mask: " + reads);
      // semi2k: the cases that mix owners and CASE WHEN conditions (keeps the class under a minute)
      for (Case c : protocol.equals("aby3") ? CASES : List.of(CASES.get(0), CASES.get(4), CASES.get(5))) {
        // the all-MPC path too for the cases that mix owners (the others: local only, to keep the class fast)
        boolean both = c == CASES.get(0) || c == CASES.get(1) || c == CASES.get(5);
        for (boolean local : both ? new boolean[] {true, false} : new boolean[] {true}) {
          spark.conf().set(SpuConf.LOCAL_EVALUATION, Boolean.toString(local));
          reads.clear();
          Dataset<Row> secure = spark.sql("SELECT " + c.secure() + " FROM j " + c.rest());
          Dataset<Row> plain = spark.sql("SELECT " + c.plain() + " FROM p " + c.rest());
          TestData.assertSameResult(plain, secure);
          QueryProfile prof = SpuQueryLog.last();
          String program = prof.program();
          int shown = program.split("local at party", -1).length - 1;
          assertEquals(local ? c.locals() : 0, shown, c.rest() + "\n" + program);
          for (String line : program.split("\n")) {
            if (!line.contains("local at party")) continue;
            boolean orders = line.contains("`total`") || line.contains("`priority`");
            boolean lines = line.contains("`qty`") || line.contains("`shipmode`") || line.contains("`sdate`") || line.contains("`disc`");
            assertTrue(orders != lines, "a local predicate reads one owner's columns: " + line);
            assertTrue(line.contains("local at party " + (orders ? 0 : 1)), line);
          }
          if (c == CASES.get(0)) {
            // every column of the Q12-like query is read locally only: one column's shares remain (the reader's row count)
            String readLine = program.substring(program.indexOf("reads ["), program.indexOf(']', program.indexOf("reads [")));
            if (local) assertFalse(readLine.contains(","), readLine);
            else assertTrue(readLine.contains("sdate") && readLine.contains("priority") && readLine.contains("shipmode"), readLine);
          }
          Set<Integer> readers = new TreeSet<>();
          for (String x : reads) {
            int party = Integer.parseInt(x.substring(0, x.indexOf(' ')));
            readers.add(party);
            assertTrue(x.substring(x.indexOf(' ') + 1).contains("-party-" + party + File.separator)
                || x.contains("-party-" + party + "/"), "party " + party + " read " + x);
          }
          assertEquals(local ? c.owners() : Set.of(), readers, "the parties that read local masks: " + reads);
          for (int owner : c.owners()) {
            if (local) assertTrue(program.contains("local at party " + owner), program);
          }
          String[] left = new File(root).list((d, n) -> n.startsWith("_spu_local"));
          assertEquals(0, left == null ? 0 : left.length, "the run's mask folders are deleted");
        }
      }
      assertFalse(reads.stream().anyMatch(x -> x.startsWith("2 ")), "party 2 owns nothing and reads no mask");
    } finally {
      LocalPredicates.onRead = null;
      spark.conf().unset(SpuConf.LOCAL_EVALUATION);
      spark.conf().set("spark.spu.protocol", "aby3");
      spark.conf().set("spark.spu.parties", "3");
    }
  }
}

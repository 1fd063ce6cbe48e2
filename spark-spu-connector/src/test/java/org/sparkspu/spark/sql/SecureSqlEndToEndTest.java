package org.sparkspu.spark.sql;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkspu.spark.SecureAgg;
import org.sparkspu.spark.SecureFrame;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * The user-facing SQL and SecureFrame paths over REAL MPC (no fake table), against the same query in
 * plaintext Spark over the union of the parties' rows: aby3 with 3 parties and semi2k with 2, each in
 * its own SparkSession (spark.spu.protocol / spark.spu.parties set per session; parties as threads
 * over memory links), over both layouts:
 * <ul>
 *   <li>"h": a horizontal table, {@code SecureFrame.union(own(0, a), own(1, b), ...)} as a temp view;
 *   <li>"st": a secret table, each party's rows written with {@code df.write().format("spu")
 *       .option("party", p)} (public domain of g and g2) and read with {@code spark.read().format("spu")}.
 * </ul>
 * Generated tables (~150-250 rows per party, {@link TestData#partyTable}): INT, BIGINT, DECIMAL(12,2),
 * DOUBLE and DATE columns with NULLs, a string key with NULLs and rare keys; spark.spu.minGroupSize=3,
 * so rare groups are suppressed (left out, as plaintext's HAVING count(*) >= 3) and a global
 * aggregate over fewer rows is a row of NULLs.
 *
 * <p>Tolerance: every integer, decimal, date, count, min and max exactly equal, with Spark's result
 * types (AVG of decimals exactly Spark's rounded quotient); DOUBLE results (sums, averages, min/max of
 * DOUBLE columns, AVG of integers, VAR_SAMP, STDDEV_SAMP) within 1e-6 relative plus rows * 2^-18
 * absolute: each DOUBLE input is encoded in fixed point with 18 fraction bits (error <= 2^-19 per
 * value, summed over the rows), and quotients are revealed rounded to 40 significant bits.
 */
class SecureSqlEndToEndTest {
  static final int MIN_GROUP = 3;
  static SparkSession base;
  @TempDir static Path dir;
  static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

  /** One protocol's session, its views "h" (horizontal), "st" (secret) and "plain" (the union in plaintext), and party tables. */
  record Fixture(SparkSession spark, String protocol, int parties, List<Dataset<Row>> tables, String store, long rows) {}

  @BeforeAll
  static void start() {
    base = TestData.session("SecureSqlEndToEndTest");
  }

  @AfterAll
  static void stop() {
    base.stop();
  }

  static Fixture fixture(String protocol) {
    Fixture f = FIXTURES.computeIfAbsent(protocol, SecureSqlEndToEndTest::build);
    SparkSession.setActiveSession(f.spark());
    return f;
  }

  private static Fixture build(String protocol) {
    int n = protocol.equals("aby3") ? 3 : 2;
    SparkSession s = base.newSession();
    SparkSession.setActiveSession(s);
    s.conf().set("spark.spu.protocol", protocol);
    s.conf().set("spark.spu.parties", Integer.toString(n));
    s.conf().set("spark.spu.link", "memory");
    s.conf().set("spark.spu.minGroupSize", Integer.toString(MIN_GROUP));
    List<Dataset<Row>> tables = new ArrayList<>();
    List<SecureFrame> own = new ArrayList<>();
    String store = dir.resolve(protocol).toString();
    long rows = 0;
    for (int p = 0; p < n; p++) {
      int r = 120 + 30 * p;
      rows += r;
      Dataset<Row> t = TestData.partyTable(s, r, 100 + p, 1000L * p).cache();
      tables.add(t);
      own.add(SecureFrame.own(s, p, t));
      t.write().format("spu").option("party", p).option("publicDomain", "g,g2").mode(p == 0 ? "overwrite" : "append").save(store);
    }
    SecureFrame.union(own.get(0), own.get(1), own.subList(2, n).toArray(new SecureFrame[0])).createOrReplaceTempView("h");
    s.read().format("spu").load(store).createOrReplaceTempView("st");
    Dataset<Row> all = tables.get(0);
    for (int p = 1; p < n; p++) all = all.union(tables.get(p));
    all.createOrReplaceTempView("plain");
    return new Fixture(s, protocol, n, tables, store, rows);
  }

  // ---- comparison

  /**
   * Runs {@code query} over the secure view ({@code %s} = "h" or "st", {@code {f}} = the aggregate
   * spelled secure_f) and over the plaintext union (plain f, count(1) as count(*)), applies
   * suppression to the plaintext result, compares, and checks that an MPC query of this session's
   * protocol ran. Returns the secure result.
   */
  static List<Row> assertSecureEqualsPlain(Fixture f, String layout, String query) {
    QueryProfile before = SpuQueryLog.last();
    Dataset<Row> secure = f.spark().sql(String.format(query, layout).replace("{", "secure_").replace("}", ""));
    List<Row> got = secure.collectAsList();
    QueryProfile ran = SpuQueryLog.last();
    assertTrue(ran != null && ran != before, "an MPC query ran for " + query);
    assertEquals(f.protocol(), ran.protocol());
    assertEquals(f.parties(), ran.parties());
    assertEquals(layout.equals("h") ? "horizontal" : "secret", ran.layout());
    assertTrue(ran.rounds() > 0 || ran.program().contains("no MPC"), "rounds of " + query);
    TestData.assertSameResult(plaintext(f, query), f.spark().createDataFrame(got, secure.schema()), REL, abs(f));
    return got;
  }

  /** Relative tolerance of DOUBLE results (see the class comment). */
  static final double REL = 1e-6;

  /** Absolute tolerance of DOUBLE results: 2^-18 per row of the table (the fixed-point encoding error, summed). */
  static double abs(Fixture f) {
    return f.rows() * Math.scalb(1.0, -18);
  }

  /** The query in plaintext Spark over all parties' rows, with the secure layouts' minimum-group-size rule applied. */
  static Dataset<Row> plaintext(Fixture f, String query) {
    String sql = String.format(query, "plain").replace("spu.system.", "").replace("{", "").replace("}", "").replace("count(1)", "count(*)");
    int from = sql.indexOf(" FROM ");
    Dataset<Row> df = f.spark().sql(sql.substring(0, from) + ", count(*) AS `__rows`" + sql.substring(from));
    boolean grouped = sql.contains(" GROUP BY ");
    if (grouped) df = df.where(col("__rows").geq(MIN_GROUP));
    List<Column> out = new ArrayList<>();
    for (String c : df.columns()) {
      if (c.equals("__rows")) continue;
      // a global aggregate over fewer rows than the minimum is revealed as NULLs
      out.add(grouped ? col("`" + c + "`") : when(col("__rows").geq(MIN_GROUP), col("`" + c + "`")).as(c));
    }
    return df.select(out.toArray(new Column[0]));
  }

  static final String EVERY_AGGREGATE = "{sum}(n), {sum}(l), {sum}(qty), {sum}(price), {count}(1), {count}(l), {count}(g2), "
      + "{avg}(n), {avg}(l), {avg}(qty), {avg}(price), {min}(n), {max}(l), {min}(qty), {max}(price), {min}(dt), "
      + "{var_samp}(n), {var_samp}(qty), {var_samp}(price), {stddev_samp}(l), {stddev_samp}(qty), "
      + "{stddev_samp}(price), {sum}(qty * n - l)";

  @ParameterizedTest
  @ValueSource(strings = {"aby3", "semi2k"})
  void everySecureFunctionWithZeroOneTwoGroupColumnsMatchesPlaintextSpark(String protocol) {
    Fixture f = fixture(protocol);
    for (String layout : List.of("h", "st")) {
      assertSecureEqualsPlain(f, layout, "SELECT " + EVERY_AGGREGATE + " FROM %s");
      List<Row> byKey = assertSecureEqualsPlain(f, layout, "SELECT g2, " + EVERY_AGGREGATE + " FROM %s GROUP BY g2");
      assertTrue(byKey.stream().anyMatch(r -> r.isNullAt(0)), "the NULL key is a group");
      long rare = f.spark().sql("SELECT count(DISTINCT g2) FROM plain WHERE g2 LIKE 'r%'").first().getLong(0);
      assertTrue(rare > 0 && byKey.stream().noneMatch(r -> !r.isNullAt(0) && r.getString(0).startsWith("r")),
          "rare groups (" + rare + ") are suppressed: " + byKey);
      assertSecureEqualsPlain(f, layout, "SELECT g, g2, {sum}(qty), {count}(1), {avg}(price), {min}(l), {max}(dt), "
          + "{var_samp}(qty), {stddev_samp}(n) FROM %s WHERE qty > 5 AND (price < 80.5 OR n IS NULL) GROUP BY g, g2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"aby3", "semi2k"})
  void filtersEmptyResultsAndSmallGlobalAggregates(String protocol) {
    Fixture f = fixture(protocol);
    for (String layout : List.of("h", "st")) {
      assertSecureEqualsPlain(f, layout, "SELECT g, {sum}(l), {avg}(qty), {max}(price) FROM %s "
          + "WHERE g2 IN ('a', 'c') AND NOT (n <=> 2) AND dt >= DATE '2024-01-10' GROUP BY g");
      assertSecureEqualsPlain(f, layout, "SELECT {sum}(qty), {count}(1), {avg}(n), {min}(dt) FROM %s "
          + "WHERE l BETWEEN -300000 AND 500000 OR qty * 2 - price > 20");
      // nothing passes: a grouped query returns no rows, a global one a row of NULLs (0 rows < minGroupSize)
      assertEquals(0, assertSecureEqualsPlain(f, layout, "SELECT g2, {sum}(qty), {count}(1) FROM %s WHERE n > 100 GROUP BY g2").size());
      List<Row> empty = assertSecureEqualsPlain(f, layout, "SELECT {sum}(qty), {count}(1), {avg}(price), {var_samp}(l) FROM %s WHERE n > 100");
      assertEquals(1, empty.size());
      for (int i = 0; i < 4; i++) assertTrue(empty.get(0).isNullAt(i), "suppressed, not revealed: " + empty);
      // a global aggregate over fewer rows than the minimum (exactly one row passes) is suppressed too
      long id = f.spark().sql("SELECT min(id) FROM plain WHERE qty IS NOT NULL").first().getLong(0);
      List<Row> one = assertSecureEqualsPlain(f, layout, "SELECT {sum}(qty), {max}(l) FROM %s WHERE id = " + id);
      assertTrue(one.get(0).isNullAt(0) && one.get(0).isNullAt(1), "a single row is not revealed: " + one);
      // the fully qualified catalog spelling runs the same way
      assertSecureEqualsPlain(f, layout, "SELECT g2, spu.system.{avg}(qty), spu.system.{count}(1) FROM %s GROUP BY g2");
      // secure_count(*) counts every row, NULLs included, as count(*) does
      assertSecureEqualsPlain(f, layout, "SELECT g2, {count}(*) AS a, spu.system.{count}(*) AS b, {count}(qty) AS c FROM %s "
          + "WHERE qty IS NULL OR n > 1 GROUP BY g2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"aby3", "semi2k"})
  void secureFrameOverBothLayouts(String protocol) {
    Fixture f = fixture(protocol);
    SparkSession s = f.spark();
    List<SecureFrame> own = new ArrayList<>();
    for (int p = 0; p < f.parties(); p++) own.add(SecureFrame.own(s, p, f.tables().get(p)));
    SecureFrame horizontal = SecureFrame.union(own.get(0), own.get(1), own.subList(2, f.parties()).toArray(new SecureFrame[0]));
    SecureFrame secret = SecureFrame.read(s, f.store());
    Dataset<Row> want = plaintext(f, "SELECT g, sum(qty), avg(price * n), count(1), min(dt), max(price), var_samp(l), "
        + "stddev_samp(qty), count(n) FROM %s WHERE qty > 0 GROUP BY g");
    for (SecureFrame frame : List.of(horizontal, secret)) {
      SecureFrame agg = frame.filter("qty > 0").groupBy("g").agg(SecureAgg.sum("qty"), SecureAgg.avg(expr("price * n")).as("x"),
          SecureAgg.countAll(), SecureAgg.min("dt"), SecureAgg.max("price"), SecureAgg.varSamp("l"), SecureAgg.stddevSamp(col("qty")),
          SecureAgg.count("n"));
      TestData.assertSameResult(want, agg.reveal(), REL, abs(f));
      QueryProfile prof = agg.profile();
      assertEquals(protocol, prof.protocol());
      assertTrue(prof.rounds() > 0 && prof.maxBytesPerParty() > 0, prof.summary());
      // revealed to one party only: that party's result is the same
      int last = f.parties() - 1;
      TestData.assertSameResult(want, agg.reveal(last), REL, abs(f));
      assertTrue(agg.profile().revealed().contains(Integer.toString(last)), agg.profile().revealed());
      // select / withColumn before the aggregation, a global aggregate
      Dataset<Row> global = frame.where("g2 IN ('a', 'b') AND dt < DATE '2024-02-01'").withColumn("v", expr("qty * n"))
          .select("v", "l").agg(SecureAgg.sum("v"), SecureAgg.avg("v"), SecureAgg.max("l")).reveal();
      TestData.assertSameResult(plaintext(f, "SELECT sum(qty * n), avg(qty * n), max(l) FROM %s WHERE g2 IN ('a', 'b') "
          + "AND dt < DATE '2024-02-01'"), global);
      // plaintext steps after the aggregation run on the revealed rows
      List<Row> ordered = frame.groupBy("g2").agg(SecureAgg.sum("l").as("s")).filter("s > 0").orderBy("g2").reveal().collectAsList();
      List<Row> expected = plaintext(f, "SELECT g2, sum(l) AS s FROM %s GROUP BY g2").where("s > 0").orderBy("g2").collectAsList();
      assertEquals(expected, ordered);
      String explained = frame.groupBy("g").agg(SecureAgg.sum("qty")).explain();
      assertTrue(explained.contains("revealed"), explained);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"aby3", "semi2k"})
  void refusedQueriesNameTheColumnAndRunNothing(String protocol) {
    Fixture f = fixture(protocol);
    for (String layout : List.of("h", "st")) {
      assertRefused(f, "SELECT * FROM " + layout, "id", "is secret");
      assertRefused(f, "SELECT qty FROM " + layout + " WHERE g = 1", "qty", "is secret");
      assertRefused(f, "SELECT secure_sum(price / 2) FROM " + layout, "price", "/");
      assertRefused(f, "SELECT secure_sum(DISTINCT qty) FROM " + layout, "qty", "DISTINCT");
      assertRefused(f, "SELECT secure_sum(qty) FROM " + layout + " WHERE upper(g2) = 'A'", "g2", "UPPER");
    }
    // a secret table groups only by columns with a public domain, and compares strings only for equality
    assertRefused(f, "SELECT n, secure_sum(qty) FROM st GROUP BY n", "n", "public domain");
    assertRefused(f, "SELECT secure_count(1) FROM st WHERE g2 < 'b'", "g2", "keyed hashes");
    // the horizontal layout groups by any plain column of the parties (their own keys)
    assertSecureEqualsPlain(f, "h", "SELECT n, {sum}(qty) FROM %s GROUP BY n");
  }

  /** The query fails before any MPC runs with a SpuQueryException naming {@code column} and saying {@code why}. */
  static void assertRefused(Fixture f, String sql, String column, String why) {
    QueryProfile before = SpuQueryLog.last();
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> f.spark().sql(sql).collect(), sql);
    assertEquals(column, e.column(), sql + ": " + e.getMessage());
    assertTrue(e.getMessage().contains(why), sql + ": " + e.getMessage());
    assertSame(before, SpuQueryLog.last(), "no MPC ran for " + sql);
  }

  /**
   * The "spu" data source through Spark's DataFrameWriter/Reader (the store itself is tested in
   * ShareStoreTest): write modes and options, party binding of each folder, appends by several
   * parties, and a tampered share file failing the SQL query with a StoreIntegrityException that
   * names the file and the party.
   */
  @Test
  void dataSourceWriteModesBindingAndIntegrityThroughSpark() throws Exception {
    Fixture f = fixture("aby3");
    SparkSession s = f.spark();
    String root = dir.resolve("ds").toString();
    Dataset<Row> a = f.tables().get(0), b = f.tables().get(1), c = f.tables().get(2);
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> a.write().format("spu").save(root));
    assertTrue(e.getMessage().contains("needs option \"party\""), e.getMessage());
    e = assertThrows(SpuQueryException.class, () -> a.write().format("spu").option("party", 3).save(root));
    assertTrue(e.getMessage().contains("party 3 does not exist"), e.getMessage());
    a.write().format("spu").option("party", 0).option("publicDomain", "g2").save(root);
    e = assertThrows(SpuQueryException.class, () -> b.write().format("spu").option("party", 1).save(root));
    assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("append"), e.getMessage());
    b.write().format("spu").option("party", 1).option("publicDomain", "g2").mode("append").save(root);
    c.write().format("spu").option("party", 2).option("publicDomain", "g2").mode("append").save(root);
    c.write().format("spu").option("party", 2).mode("ignore").save(root); // exists: nothing written

    // every party's folder is bound to that party and lists the same segments, owned by the writers
    java.util.Set<Integer> owners = new java.util.TreeSet<>();
    List<String> files = null;
    for (int k = 0; k < 3; k++) {
      org.sparkspu.spark.store.StoreMetadata m = org.sparkspu.spark.store.StoreMetadata.read(root, k);
      assertEquals(k, m.party());
      assertEquals(f.rows(), m.totalRows());
      List<String> mine = new ArrayList<>();
      for (var seg : m.segments()) {
        for (var g : seg.groups()) {
          owners.add(g.owner());
          mine.add(g.file());
        }
      }
      java.util.Set<String> onDisk = new java.util.TreeSet<>();
      try (var list = java.nio.file.Files.list(dir.resolve("ds").resolve(org.sparkspu.spark.store.ShareFileFormat.partyDirName(k)))) {
        list.forEach(x -> onDisk.add(x.getFileName().toString()));
      }
      java.util.Set<String> expectedFiles = new java.util.TreeSet<>(mine);
      expectedFiles.add(org.sparkspu.spark.store.ShareFileFormat.METADATA_FILE);
      assertEquals(expectedFiles, onDisk, "party " + k + "'s folder holds its metadata and share files only");
      if (files != null) assertEquals(files, mine);
      files = mine;
    }
    assertEquals(java.util.Set.of(0, 1, 2), owners);
    String file = files.get(files.size() - 1);
    java.nio.file.Path p1 = dir.resolve("ds/party-1/" + file);
    assertTrue(!java.util.Arrays.equals(java.nio.file.Files.readAllBytes(p1),
        java.nio.file.Files.readAllBytes(dir.resolve("ds/party-2/" + file))), "parties hold different shares");

    s.read().format("spu").load(root).createOrReplaceTempView("ds");
    String q = "SELECT g2, {sum}(qty), {count}(1), {max}(l) FROM %s GROUP BY g2";
    assertSecureEqualsPlain(f, "ds", q);

    // a flipped byte in party 1's copy of a share file: a query reading every column (digests are
    // checked per column chunk read) fails naming the file and the party
    String every = "SELECT secure_count(id), secure_sum(g), secure_count(g2), secure_sum(qty), secure_sum(price), secure_sum(n), "
        + "secure_min(dt), secure_sum(l) FROM ds";
    s.sql(every).collect();
    byte[] orig = java.nio.file.Files.readAllBytes(p1);
    byte[] bad = orig.clone();
    bad[bad.length / 2] ^= 0x04;
    java.nio.file.Files.write(p1, bad);
    try {
      Exception thrown = assertThrows(Exception.class, () -> s.sql(every).collect());
      org.sparkspu.spark.store.StoreIntegrityException integrity = null;
      for (Throwable t = thrown; t != null && integrity == null; t = t.getCause()) {
        if (t instanceof org.sparkspu.spark.store.StoreIntegrityException x) integrity = x;
      }
      assertNotNull(integrity, "caused by a StoreIntegrityException: " + thrown);
      assertEquals(1, integrity.party());
      assertTrue(integrity.getMessage().contains("party-1/" + file) && integrity.getMessage().contains("party 1"), integrity.getMessage());
      assertTrue(thrown.getMessage().contains("party-1/" + file), "the error the user sees names the file: " + thrown.getMessage());
    } finally {
      java.nio.file.Files.write(p1, orig);
    }
    assertEquals(f.rows(), s.sql("SELECT secure_count(1) FROM ds").first().getLong(0));

    // overwrite replaces the table: only party 2's rows remain
    c.write().format("spu").option("party", 2).mode("overwrite").save(root);
    s.read().format("spu").load(root).createOrReplaceTempView("ds");
    assertEquals(c.count(), s.sql("SELECT secure_count(1) FROM ds").first().getLong(0));
    assertEquals(0, c.where("qty IS NOT NULL").select(org.apache.spark.sql.functions.sum("qty")).first().getDecimal(0)
        .compareTo(s.sql("SELECT secure_sum(qty) FROM ds").first().getDecimal(0)));
  }
}

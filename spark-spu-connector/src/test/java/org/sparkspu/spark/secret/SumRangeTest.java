package org.sparkspu.spark.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.sql.TestData;
import org.sparkspu.spark.store.StoreMetadata;

/**
 * Sums that could leave the 64-bit ring in the secret layout: the writers' recorded value
 * magnitudes, the count limit derived from them, a query whose group reaches it failing with the
 * column named (instead of a wrapped sum), and a query whose groups stay below it exact.
 */
class SumRangeTest {
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = TestData.session("SumRangeTest").newSession();
    spark.conf().set("spark.spu.link", "memory");
    spark.conf().set("spark.spu.minGroupSize", "4");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String write(String name, String... partySql) {
    String root = dir.resolve(name).toString();
    for (int p = 0; p < partySql.length; p++) {
      spark.sql(partySql[p]).write().format("spu").option("party", p).option("publicDomain", "g")
          .mode(p == 0 ? "overwrite" : "append").save(root);
    }
    spark.read().format("spu").load(root).createOrReplaceTempView(name);
    return root;
  }

  @Test
  void writersRecordEachColumnsLargestValueBits() {
    String root = write("bits",
        "SELECT id % 2 AS g, id - 5 AS small, CAST(id / 4 AS DECIMAL(10, 2)) AS d, CAST(NULL AS BIGINT) AS none FROM range(0, 10)",
        "SELECT id % 2 AS g, id * 1000 AS small, CAST(0.25 AS DECIMAL(10, 2)) AS d, CAST(NULL AS BIGINT) AS none FROM range(0, 3)",
        "SELECT id % 2 AS g, -id AS small, CAST(-3 AS DECIMAL(10, 2)) AS d, CAST(NULL AS BIGINT) AS none FROM range(0, 2)");
    StoreMetadata m = StoreMetadata.read(root, 1);
    assertEquals(11, m.valueBits("small").getAsInt()); // 2000 < 2^11
    assertEquals(9, m.valueBits("d").getAsInt()); // |-3.00| = 300 at scale 2 < 2^9
    assertEquals(0, m.valueBits("none").getAsInt()); // NULL rows hold 0
    assertEquals(m.valueBits("small"), StoreMetadata.read(root, 2).valueBits("small"), "the same public part at every party");
    // a store written before the magnitudes were recorded: unknown, and the type bounds them
    StoreMetadata old = StoreMetadata.fromJson(m.toJsonString().replaceAll("\"bits\" : \\[[^\\]]*\\],?", "")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), "old");
    assertTrue(old.valueBits("small").isEmpty());
    assertEquals(31, SumRange.typeBits(org.sparkspu.arrow.LogicalType.of(org.sparkspu.arrow.LogicalType.Kind.INT)));
  }

  @Test
  void aGroupWhoseSumCouldWrapFailsNamingTheColumn() {
    // each party's values reach 4e18 < 2^62; 20 rows per group sum to ~4e19, beyond 2^63
    write("wrap",
        "SELECT id % 2 AS g, (id + 1) * 100000000000000000 AS big, id AS small FROM range(0, 40)",
        "SELECT id % 2 AS g, id AS big, id AS small FROM range(0, 40)",
        "SELECT id % 2 AS g, id AS big, id AS small FROM range(0, 40)");
    SpuQueryException e = assertThrows(SpuQueryException.class,
        () -> spark.sql("SELECT g, secure_sum(big) FROM wrap GROUP BY g").collect());
    assertEquals("big", e.column());
    assertTrue(e.getMessage().contains("64-bit ring"), e.getMessage());
    e = assertThrows(SpuQueryException.class, () -> spark.sql("SELECT secure_avg(big * 2) FROM wrap").collect());
    assertTrue(e.getMessage().contains("64-bit ring"), e.getMessage());
    // other columns of the same table are unaffected; MIN/MAX/COUNT of big never overflow
    assertEquals(List.of(3 * (39 * 40 / 2L)), spark.sql("SELECT secure_sum(small) FROM wrap").collectAsList().stream().map(r -> r.getLong(0)).toList());
    // a MIN/MAX over an expression that may wrap row by row is refused at planning
    e = assertThrows(SpuQueryException.class, () -> spark.sql("SELECT secure_max(big * 4) FROM wrap").collect());
    assertEquals("big", e.column());
    Row r = spark.sql("SELECT secure_max(big), secure_count(big) FROM wrap").first();
    assertEquals(4_000_000_000_000_000_000L, r.getLong(0));
    assertEquals(120L, r.getLong(1));
  }

  @Test
  void groupsBelowTheLimitSumExactlyWithTheGuardOn() {
    // values up to 2^57 + 5 (58 bits): sums are safe for fewer than 2^5 values (2^63); 200 rows, so the guard runs
    write("near",
        "SELECT id % 2 AS g, CASE WHEN id < 6 THEN 144115188075855872 + id ELSE id END AS v FROM range(0, 100)",
        "SELECT id % 2 AS g, CASE WHEN id < 6 THEN 144115188075855872 - id ELSE id END AS v FROM range(0, 100)");
    String q = "SELECT g, %s(v) AS s FROM %s WHERE v > 1000 GROUP BY g ORDER BY g"; // 6 rows per group
    Dataset<Row> plain = spark.sql(String.format(q, "sum",
        "(SELECT id % 2 AS g, CASE WHEN id < 6 THEN 144115188075855872 + id ELSE id END AS v FROM range(0, 100) UNION ALL "
            + "SELECT id % 2 AS g, CASE WHEN id < 6 THEN 144115188075855872 - id ELSE id END AS v FROM range(0, 100))"));
    assertEquals(plain.collectAsList(), spark.sql(String.format(q, "secure_sum", "near")).collectAsList());
    // without the filter a group has 100 values: refused, though this particular sum would fit
    assertThrows(SpuQueryException.class, () -> spark.sql("SELECT g, secure_sum(v) FROM near GROUP BY g").collect());
  }

  @Test
  void aVarianceWhoseSumOfSquaresCouldWrapFailsInsteadOfAnsweringWrong() {
    // DOUBLE values up to 1e5 in 10,002 rows: the sum of squares (x^2 2^18 each) would pass 2^63,
    // where the variance's own guard could not see it (it read 397.9 for a true 14,435.6 before)
    String gen = "SELECT id %% 2 AS g, CAST(50000 + (id * 7919 %% 50000) AS DOUBLE) AS x FROM range(%d, %d)";
    write("squares", String.format(gen, 0, 3334), String.format(gen, 3334, 6668), String.format(gen, 6668, 10002));
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> spark.sql("SELECT secure_stddev_samp(x) FROM squares").collect());
    assertEquals("x", e.column());
    // fewer rows per group stay below the limit: equal to Spark within the fixed-point tolerance
    String q = "SELECT g, %s(x) FROM %s WHERE x < 50100 GROUP BY g ORDER BY g";
    List<Row> want = spark.sql(String.format(q, "stddev_samp", "(" + String.format(gen, 0, 10002) + ")")).collectAsList();
    List<Row> got = spark.sql(String.format(q, "secure_stddev_samp", "squares")).collectAsList();
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) assertEquals(want.get(i).getDouble(1), got.get(i).getDouble(1), 1e-3, "group " + i);
  }
}

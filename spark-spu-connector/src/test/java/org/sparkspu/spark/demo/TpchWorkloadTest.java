package org.sparkspu.spark.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.sparkspu.spark.join.JoinReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo's and the tpch benchmark's workload at a tiny scale: every query in every layout equals plaintext Spark. */
class TpchWorkloadTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TpchWorkload.session("TpchWorkloadTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  @Test
  void everyQueryInEveryLayoutEqualsPlaintext() throws Exception {
    try (TpchWorkload w = TpchWorkload.prepare(spark, 0.001, 3, 1, TpchWorkload.LAYOUTS)) {
      long[] rows = w.rowsPerParty();
      assertEquals(3, rows.length);
      for (long r : rows) assertTrue(r > 0, "every party holds rows");
      assertEquals(w.rows(), spark.table(TpchWorkload.view("plain")).count());
      assertTrue(w.writeSeconds() > 0);
      for (String q : TpchQueries.NAMES) {
        TpchWorkload.Run plain = w.plain(q);
        assertFalse(plain.rows().isEmpty(), q);
        for (String layout : TpchWorkload.layouts(q)) {
          TpchWorkload.Run secure = w.secure(q, layout);
          assertTrue(ResultCheck.matches(plain.rows(), secure.rows()), q + " " + layout + ":\n" + ResultCheck.sideBySide(plain.rows(), secure.rows()));
          assertNotNull(secure.profile(), q + " " + layout + " has a profile");
          assertEquals(layout.equals("vertical") ? "secret" : layout, secure.profile().layout(), "a join output is a secret table");
        }
      }
      assertThrows(IllegalArgumentException.class, () -> w.secure("q6", "vertical"));
      assertThrows(IllegalArgumentException.class, () -> w.secure("q12", "secret"));
      JoinReport j = w.joinReport();
      assertEquals(spark.table(TpchWorkload.view("q12", "plain")).count(), j.rows(), "the secure join has plaintext Spark's row count");
      assertEquals(w.ordersRows(), j.rightRows());
      assertThrows(IllegalArgumentException.class, () -> w.plain("q99"));
    }
    assertFalse(spark.catalog().tableExists(TpchWorkload.view("secret")), "close drops the views");
    assertFalse(spark.catalog().tableExists(TpchWorkload.view("q12", "vertical")), "close drops the views");
  }
}

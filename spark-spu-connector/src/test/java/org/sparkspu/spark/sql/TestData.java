package org.sparkspu.spark.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** TEST ONLY: generated tables with nulls, and result comparison against plaintext Spark. */
public final class TestData {
  private TestData() {}

  /** A small local session with the spu extensions and catalog set as SpuPlugin sets them. */
  public static SparkSession session(String app) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName(app)
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.extensions", SpuExtensions.class.getName())
        .config("spark.sql.catalog.spu", SpuCatalog.class.getName())
        .config("spark.spu.minGroupSize", "1").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    return spark;
  }

  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("g", DataTypes.IntegerType, true)
      .add("g2", DataTypes.StringType, true)
      .add("qty", DataTypes.createDecimalType(12, 2), true)
      .add("price", DataTypes.DoubleType, true)
      .add("n", DataTypes.IntegerType, true)
      .add("dt", DataTypes.DateType, true);

  /** {@code rows} random rows of {@link #SCHEMA} from {@code seed}, about 10% nulls per nullable column. */
  public static Dataset<Row> table(SparkSession spark, int rows, long seed, long firstId) {
    Random r = new Random(seed);
    List<Row> out = new ArrayList<>();
    String[] g2 = {"a", "b", "c"};
    for (int i = 0; i < rows; i++) {
      out.add(RowFactory.create(firstId + i,
          r.nextInt(10) == 0 ? null : r.nextInt(4),
          r.nextInt(10) == 0 ? null : g2[r.nextInt(3)],
          r.nextInt(10) == 0 ? null : BigDecimal.valueOf(r.nextInt(5000) - 500, 2),
          r.nextInt(10) == 0 ? null : Math.round(r.nextDouble() * 10000) / 100.0,
          r.nextInt(10) == 0 ? null : r.nextInt(7) - 1,
          r.nextInt(10) == 0 ? null : Date.valueOf(LocalDate.of(2024, 1, 1).plusDays(r.nextInt(60)))));
    }
    return spark.createDataFrame(out, SCHEMA);
  }

  /**
   * {@link #table} with two more things a real-MPC test needs: a nullable BIGINT column {@code l}
   * (|l| <= 10^6, NULL in every 9th row) and rare {@code g2} keys ({@code "r<id>"}, one row in 40)
   * that fall under any spark.spu.minGroupSize above 1.
   */
  public static Dataset<Row> partyTable(SparkSession spark, int rows, long seed, long firstId) {
    return table(spark, rows, seed, firstId)
        .withColumn("g2", org.apache.spark.sql.functions.expr("CASE WHEN id % 40 = 7 THEN concat('r', id) ELSE g2 END"))
        .withColumn("l", org.apache.spark.sql.functions.expr("CASE WHEN id % 9 = 4 THEN NULL ELSE id * 7919 % 2000001 - 1000000 END"));
  }

  /** Asserts equal rows (any order) and column types; doubles within 1e-9 relative. */
  public static void assertSameResult(Dataset<Row> expected, Dataset<Row> actual) {
    assertSameResult(expected, actual, 1e-9, 1e-9);
  }

  /**
   * Asserts equal rows (any order) and column types: every value exactly equal (integers, decimals
   * with their scale, dates, strings, NULLs) except doubles, which may differ by {@code rel} of the
   * expected magnitude plus {@code abs}.
   */
  public static void assertSameResult(Dataset<Row> expected, Dataset<Row> actual, double rel, double abs) {
    StructType e = expected.schema();
    StructType a = actual.schema();
    assertEquals(e.size(), a.size(), "columns: " + e.simpleString() + " vs " + a.simpleString());
    for (int i = 0; i < e.size(); i++) {
      assertEquals(e.fields()[i].dataType(), a.fields()[i].dataType(), "type of column " + i + " (" + a.fields()[i].name() + ")");
    }
    List<Row> er = sorted(expected.collectAsList());
    List<Row> ar = sorted(actual.collectAsList());
    assertEquals(er.size(), ar.size(), "rows: expected " + er + " got " + ar);
    for (int i = 0; i < er.size(); i++) {
      for (int j = 0; j < e.size(); j++) {
        Object x = er.get(i).get(j);
        Object y = ar.get(i).get(j);
        if (x instanceof Double dx && y instanceof Double dy) {
          assertTrue(Math.abs(dx - dy) <= rel * Math.abs(dx) + abs,
              "column " + j + ": " + dy + " vs plaintext " + dx + " (rel " + rel + ", abs " + abs + "), row " + er.get(i) + " vs " + ar.get(i));
        } else {
          assertEquals(x, y, "row " + er.get(i) + " vs " + ar.get(i));
        }
      }
    }
  }

  private static List<Row> sorted(List<Row> rows) {
    List<Row> out = new ArrayList<>(rows);
    out.sort(Comparator.comparing(Row::toString));
    return out;
  }
}

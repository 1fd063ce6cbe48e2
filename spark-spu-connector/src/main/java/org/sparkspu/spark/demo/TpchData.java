package org.sparkspu.spark.demo;

import io.trino.tpch.LineItem;
import io.trino.tpch.Order;
import io.trino.tpch.TpchTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * TPC-H tables from io.trino.tpch's generator (the dbgen algorithm), split among parties without
 * any party generating another's rows: the generator cuts a table into parts, and party p of n
 * takes parts p*k+1 .. p*k+k of n*k (k Spark partitions per party), each generated inside its own
 * Spark task.
 */
public final class TpchData {
  private TpchData() {}

  /** The lineitem columns the demo queries use (Q1, Q6, Q12), with TPC-H's types. */
  public static final StructType LINEITEM = new StructType()
      .add("l_orderkey", DataTypes.LongType, false)
      .add("l_quantity", DataTypes.createDecimalType(15, 2), false)
      .add("l_extendedprice", DataTypes.createDecimalType(15, 2), false)
      .add("l_discount", DataTypes.createDecimalType(15, 2), false)
      .add("l_tax", DataTypes.createDecimalType(15, 2), false)
      .add("l_returnflag", DataTypes.StringType, false)
      .add("l_linestatus", DataTypes.StringType, false)
      .add("l_shipdate", DataTypes.DateType, false)
      .add("l_commitdate", DataTypes.DateType, false)
      .add("l_receiptdate", DataTypes.DateType, false)
      .add("l_shipmode", DataTypes.StringType, false);

  /** The orders columns Q12 uses. */
  public static final StructType ORDERS = new StructType()
      .add("o_orderkey", DataTypes.LongType, false)
      .add("o_orderpriority", DataTypes.StringType, false)
      .add("o_orderdate", DataTypes.DateType, false);

  /** Party {@code party}'s share (of {@code parties}) of lineitem at scale factor {@code sf}. */
  public static Dataset<Row> lineitem(SparkSession spark, double sf, int party, int parties, int partitionsPerParty) {
    JavaRDD<Row> rows = parts(spark, party, parties, partitionsPerParty).mapPartitions(it -> {
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        int[] pp = it.next();
        for (LineItem li : TpchTable.LINE_ITEM.createGenerator(sf, pp[0], pp[1])) out.add(lineitemRow(li));
      }
      return out.iterator();
    });
    return spark.createDataFrame(rows, LINEITEM);
  }

  /** Orders at scale factor {@code sf}, generated in {@code partitions} tasks (one party owns it all). */
  public static Dataset<Row> orders(SparkSession spark, double sf, int partitions) {
    JavaRDD<Row> rows = parts(spark, 0, 1, partitions).mapPartitions(it -> {
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        int[] pp = it.next();
        for (Order o : TpchTable.ORDERS.createGenerator(sf, pp[0], pp[1])) {
          out.add(RowFactory.create(o.getOrderKey(), o.getOrderPriority(), date(o.getOrderDate())));
        }
      }
      return out.iterator();
    });
    return spark.createDataFrame(rows, ORDERS);
  }

  /** Generator parts (1-based part, part count) of one party, one per Spark partition. */
  private static JavaRDD<int[]> parts(SparkSession spark, int party, int parties, int k) {
    List<int[]> parts = new ArrayList<>();
    IntStream.range(0, k).forEach(j -> parts.add(new int[] {party * k + j + 1, parties * k}));
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(parts, k);
  }

  static Row lineitemRow(LineItem li) {
    return RowFactory.create(li.getOrderKey(), BigDecimal.valueOf(li.getQuantity() * 100, 2),
        BigDecimal.valueOf(li.getExtendedPriceInCents(), 2), BigDecimal.valueOf(li.getDiscountPercent(), 2),
        BigDecimal.valueOf(li.getTaxPercent(), 2), li.getReturnFlag(), li.getStatus(), date(li.getShipDate()),
        date(li.getCommitDate()), date(li.getReceiptDate()), li.getShipMode());
  }

  /** The generator's dates are days since 1970-01-01. */
  static java.sql.Date date(int epochDay) {
    return java.sql.Date.valueOf(LocalDate.ofEpochDay(epochDay));
  }

}

package org.sparkspu.spark.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.sparkspu.arrow.SipHash24;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;

/** Share store write/read round trips (reveal the stored shares = plaintext), integrity and binding checks. */
class ShareStoreTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("ShareStoreTest").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.IntegerType, false)
      .add("i", DataTypes.LongType, true)
      .add("d", DataTypes.createDecimalType(12, 2), true)
      .add("x", DataTypes.DoubleType, true)
      .add("dt", DataTypes.DateType, true)
      .add("s", DataTypes.StringType, true)
      .add("b", DataTypes.BooleanType, false);

  static Dataset<Row> data(int n, long seed, int partitions) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      rows.add(RowFactory.create(k,
          r.nextInt(5) == 0 ? null : r.nextLong() >> 3,
          r.nextInt(5) == 0 ? null : BigDecimal.valueOf(r.nextInt(2_000_000) - 1_000_000, 2),
          r.nextInt(5) == 0 ? null : r.nextGaussian() * 1000,
          r.nextInt(5) == 0 ? null : java.sql.Date.valueOf(LocalDate.of(1990, 1, 1).plusDays(r.nextInt(4000))),
          r.nextInt(5) == 0 ? null : "s" + r.nextInt(7),
          r.nextBoolean()));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(partitions);
  }

  /** Opens every party's reader and reconstructs the plaintext ring values of each column (null at NULL rows). */
  static List<Long[]> reveal(String root, SpuConf conf, List<String> cols, int batchRows) {
    int n = conf.parties();
    List<ShareReader> readers = new ArrayList<>();
    for (int k = 0; k < n; k++) readers.add(ShareReader.open(root, k, cols, batchRows, false));
    List<Long[]> out = new ArrayList<>();
    try {
      while (readers.get(0).hasNext()) {
        List<ShareBatch> bs = new ArrayList<>();
        for (ShareReader rd : readers) bs.add(rd.next());
        int rows = bs.get(0).rows();
        for (ShareBatch b : bs) assertEquals(rows, b.rows());
        long[][] vals = new long[cols.size()][];
        long[][] valid = new long[cols.size()][];
        for (int c = 0; c < cols.size(); c++) {
          String col = cols.get(c);
          List<Share> v = new ArrayList<>(), nn = new ArrayList<>();
          for (ShareBatch b : bs) {
            v.add(b.values(col));
            if (b.validity(col) != null) nn.add(b.validity(col));
          }
          vals[c] = open(conf, v);
          valid[c] = nn.isEmpty() ? null : open(conf, nn);
        }
        for (int i = 0; i < rows; i++) {
          Long[] row = new Long[cols.size()];
          for (int c = 0; c < cols.size(); c++) {
            if (valid[c] != null) {
              assertTrue(valid[c][i] == 0 || valid[c][i] == 1);
              if (valid[c][i] == 0) {
                assertEquals(0L, vals[c][i], "NULL rows hold 0");
                continue;
              }
            }
            row[c] = vals[c][i];
          }
          out.add(row);
        }
      }
      for (ShareReader rd : readers) assertFalse(rd.hasNext());
    } finally {
      readers.forEach(ShareReader::close);
    }
    return out;
  }

  /** Plaintext from all parties' shares; checks the replicated pairs agree (aby3). */
  static long[] open(SpuConf conf, List<Share> shares) {
    int len = shares.get(0).size();
    long[] x = new long[len];
    if (conf.protocol().equals("aby3")) {
      for (int k = 0; k < 3; k++) {
        assertArrayEquals(shares.get((k + 1) % 3).part(0).data(), shares.get(k).part(1).data(), "replicated pairs agree");
        long[] p = shares.get(k).part(0).data();
        for (int i = 0; i < len; i++) x[i] += p[i];
      }
    } else {
      for (Share s : shares) {
        long[] p = s.part(0).data();
        for (int i = 0; i < len; i++) x[i] += p[i];
      }
    }
    return x;
  }

  static List<Long[]> expected(Dataset<Row> df, byte[] key) {
    SipHash24 h = new SipHash24(key);
    List<Long[]> out = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      out.add(new Long[] {
          (long) r.getInt(0),
          r.isNullAt(1) ? null : r.getLong(1),
          r.isNullAt(2) ? null : r.getDecimal(2).unscaledValue().longValueExact(),
          r.isNullAt(3) ? null : (long) Math.rint(r.getDouble(3) * (1 << 18)),
          r.isNullAt(4) ? null : r.getDate(4).toLocalDate().toEpochDay(),
          r.isNullAt(5) ? null : ShareStore.stringCode(h.hash(r.getString(5).getBytes(StandardCharsets.UTF_8))),
          r.getBoolean(6) ? 1L : 0L});
    }
    return out;
  }

  static final List<String> ALL = List.of("id", "i", "d", "x", "dt", "s", "b");

  static void assertRows(List<Long[]> want, List<Long[]> got) {
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), "row " + i);
  }

  void roundTrip(SpuConf conf, Path dir) {
    String root = dir.resolve("t").toString();
    Dataset<Row> df = data(700, 7, 3).cache();
    ShareStore.write(spark, df, 1 % conf.parties(), root, conf, Map.of("publicDomain", "s, b", "blockRows", "100"));
    StoreMetadata m = StoreMetadata.read(root, 0);
    assertEquals(700, m.totalRows());
    assertEquals(List.of("s", "b"), List.copyOf(m.publicDomains().keySet()));
    assertEquals(List.of(false, true), m.publicDomains().get("b"));
    assertEquals(null, m.publicDomains().get("s").get(0), "NULL is part of the domain");
    assertRows(expected(df, m.hashKey()), reveal(root, conf, ALL, 64));
    // a column subset, batches spanning files
    List<Long[]> sub = reveal(root, conf, List.of("dt", "id"), 1000);
    List<Long[]> want = expected(df, m.hashKey());
    for (int i = 0; i < want.size(); i++) assertArrayEquals(new Long[] {want.get(i)[4], want.get(i)[0]}, sub.get(i));
    df.unpersist();
  }

  @Test
  void roundTripAby3(@TempDir Path dir) {
    roundTrip(SpuConf.defaults(), dir);
  }

  @Test
  void roundTripSemi2k(@TempDir Path dir) {
    roundTrip(SpuConf.defaults().withProtocol("semi2k", 2), dir.resolve("two"));
    roundTrip(SpuConf.defaults().withProtocol("semi2k", 3), dir.resolve("three"));
  }

  @Test
  void paddedBatchesHaveZeroSharesAfterTheirRows(@TempDir Path dir) {
    String root = dir.resolve("t").toString();
    SpuConf conf = SpuConf.defaults();
    ShareStore.write(spark, data(150, 3, 2), 0, root, conf, Map.of());
    try (ShareReader r = ShareReader.open(root, 1, List.of("i"), 64, true)) {
      int rows = 0, batches = 0;
      while (r.hasNext()) {
        ShareBatch b = r.next();
        assertEquals(64, b.capacity());
        assertEquals(64, b.values("i").size());
        for (int i = b.rows(); i < 64; i++) assertEquals(0L, b.values("i").part(0).get(i));
        rows += b.rows();
        batches++;
      }
      assertEquals(150, rows);
      assertEquals(3, batches);
    }
  }

  @Test
  void twoOwnersAppend(@TempDir Path dir) {
    String root = dir.resolve("t").toString();
    SpuConf conf = SpuConf.defaults();
    Dataset<Row> a = data(300, 1, 2).cache(), b = data(200, 2, 3).cache();
    ShareStore.write(spark, a, 0, root, conf, Map.of("publicDomain", "s"));
    ShareStore.write(spark, b, 2, root, conf, Map.of("publicDomain", "s"));
    StoreMetadata m = StoreMetadata.read(root, 1);
    assertEquals(500, m.totalRows());
    assertEquals(0, m.segments().get(0).groups().get(0).owner());
    assertEquals(2, m.segments().get(m.segments().size() - 1).groups().get(0).owner());
    List<Long[]> want = new ArrayList<>(expected(a, m.hashKey()));
    want.addAll(expected(b, m.hashKey()));
    assertRows(want, reveal(root, conf, ALL, 128));
    // an append must declare the same public domains
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> ShareStore.write(spark, b, 1, root, conf, Map.of()));
    assertEquals("s", e.column());
    // overwrite replaces the table (new id and key)
    ShareStore.write(spark, b, 1, root, conf, Map.of("mode", "overwrite"));
    StoreMetadata m2 = StoreMetadata.read(root, 2);
    assertEquals(200, m2.totalRows());
    assertFalse(m2.tableId().equals(m.tableId()));
    assertRows(expected(b, m2.hashKey()), reveal(root, conf, ALL, 1000));
    a.unpersist();
    b.unpersist();
  }

  @Test
  void schemaMismatchNamesTheColumn(@TempDir Path dir) {
    String root = dir.resolve("t").toString();
    SpuConf conf = SpuConf.defaults();
    ShareStore.write(spark, data(20, 1, 1), 0, root, conf, Map.of());
    Dataset<Row> wrongType = data(20, 2, 1).withColumn("d", org.apache.spark.sql.functions.col("d").cast("double"));
    SpuQueryException e = assertThrows(SpuQueryException.class, () -> ShareStore.write(spark, wrongType, 1, root, conf, Map.of()));
    assertEquals("d", e.column());
    assertTrue(e.getMessage().contains("DECIMAL(12, 2)"), e.getMessage());
    Dataset<Row> missing = data(20, 2, 1).drop("x");
    e = assertThrows(SpuQueryException.class, () -> ShareStore.write(spark, missing, 1, root, conf, Map.of()));
    assertEquals("x", e.column());
    // nothing was appended by the failed writes
    assertEquals(20, StoreMetadata.read(root, 2).totalRows());
    assertEquals(20, reveal(root, conf, List.of("id"), 100).size());
  }

  @Test
  void tamperedByteIsReportedWithFileAndParty(@TempDir Path dir) throws Exception {
    String root = dir.resolve("t").toString();
    SpuConf conf = SpuConf.defaults();
    ShareStore.write(spark, data(300, 5, 2), 0, root, conf, Map.of());
    StoreMetadata m = StoreMetadata.read(root, 1);
    String file = m.segments().get(1).groups().get(0).file();
    Path p = dir.resolve("t/party-1/" + file);
    byte[] orig = Files.readAllBytes(p);
    for (int pos : new int[] {orig.length / 2, 20, orig.length - 5}) { // a data chunk, the header, the trailer digest
      byte[] bad = orig.clone();
      bad[pos] ^= 0x10;
      Files.write(p, bad);
      StoreIntegrityException e = assertThrows(StoreIntegrityException.class, () -> reveal(root, conf, ALL, 64));
      assertEquals(1, e.party());
      assertTrue(e.getMessage().contains("party-1/" + file), e.getMessage());
      assertTrue(e.getMessage().contains("party 1"), e.getMessage());
    }
    Files.write(p, orig);
    assertEquals(300, reveal(root, conf, ALL, 64).size());
    // a truncated file
    Files.write(p, java.util.Arrays.copyOf(orig, orig.length - 40));
    assertThrows(StoreIntegrityException.class, () -> reveal(root, conf, ALL, 64));
    Files.write(p, orig);
    // an extra file in the folder
    Files.write(dir.resolve("t/party-2/" + ShareFileFormat.fileName(99, 0)), orig);
    StoreIntegrityException e = assertThrows(StoreIntegrityException.class, () -> reveal(root, conf, ALL, 64));
    assertEquals(2, e.party());
  }

  @Test
  void fileInAnotherPartysFolderIsABindingError(@TempDir Path dir) throws Exception {
    String root = dir.resolve("t").toString();
    SpuConf conf = SpuConf.defaults();
    ShareStore.write(spark, data(100, 5, 1), 0, root, conf, Map.of());
    String file = StoreMetadata.read(root, 0).segments().get(0).groups().get(0).file();
    Files.copy(dir.resolve("t/party-2/" + file), dir.resolve("t/party-0/" + file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    StoreIntegrityException e = assertThrows(StoreIntegrityException.class, () -> reveal(root, conf, List.of("i"), 64));
    assertEquals(0, e.party());
    assertTrue(e.getMessage().contains("bound to party 2, but party 0"), e.getMessage());
    // metadata copied into another party's folder
    Files.copy(dir.resolve("t/party-1/" + ShareFileFormat.METADATA_FILE), dir.resolve("t/party-0/" + ShareFileFormat.METADATA_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    e = assertThrows(StoreIntegrityException.class, () -> StoreMetadata.read(root, 0));
    assertTrue(e.getMessage().contains("bound to party 1"), e.getMessage());
  }
}

package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The secret schema: type-to-encoding mapping, validation, and serialisation with plans. */
class SecretTableSchemaTest {
  static final StructType MIXED = new StructType()
      .add("b", DataTypes.ByteType).add("s", DataTypes.ShortType).add("i", DataTypes.IntegerType, false)
      .add("l", DataTypes.LongType).add("f", DataTypes.FloatType).add("d", DataTypes.DoubleType)
      .add("dec18", DataTypes.createDecimalType(18, 2)).add("dec19", DataTypes.createDecimalType(19, 2))
      .add("ok", DataTypes.BooleanType).add("day", DataTypes.DateType).add("ts", DataTypes.TimestampType)
      .add("ntz", DataTypes.TimestampNTZType).add("name", DataTypes.StringType).add("key", DataTypes.StringType)
      .add("bin", DataTypes.BinaryType);

  @Test
  void sparkTypesMapToTheDocumentedEncodings() {
    SecretTableSchema s = SecretTableSchema.fromSpark(MIXED, 2, 18, Set.of("key"));
    List<ColumnEncoding> expected = List.of(ColumnEncoding.INTEGER, ColumnEncoding.INTEGER, ColumnEncoding.INTEGER,
        ColumnEncoding.INTEGER, ColumnEncoding.fixedPoint(18), ColumnEncoding.fixedPoint(18), ColumnEncoding.INTEGER,
        ColumnEncoding.fixedPoint(18), ColumnEncoding.INTEGER, ColumnEncoding.INTEGER, ColumnEncoding.INTEGER,
        ColumnEncoding.INTEGER, ColumnEncoding.KEYED_HASH, ColumnEncoding.RAW_BYTES, ColumnEncoding.KEYED_HASH);
    assertEquals(expected, s.columns().stream().map(SecretColumn::encoding).toList());
    assertTrue(s.columns().stream().allMatch(c -> c.ownerParty() == 2));
    assertEquals(false, s.column(2).nullable());
    assertEquals(LogicalType.decimal(19, 2), s.column(7).type());
    assertEquals(MIXED, s.sparkSchema());
    assertEquals(DataTypes.LongType, s.revealedSparkSchema().apply("name").dataType(), "hashes reveal as BIGINT");
    assertEquals(DataTypes.StringType, s.revealedSparkSchema().apply("key").dataType(), "raw bytes reveal as themselves");
  }

  @Test
  void unsupportedTypesAreRejectedNamingColumnAndType() {
    List<DataType> unsupported = List.of(DataTypes.createArrayType(DataTypes.IntegerType),
        DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType),
        new StructType().add("x", DataTypes.IntegerType), DataTypes.CalendarIntervalType,
        DataTypes.createDayTimeIntervalType(), DataTypes.VariantType, DataTypes.NullType,
        StringType.apply("UNICODE_CI"));
    for (DataType t : unsupported) {
      StructType s = new StructType().add("ok", DataTypes.IntegerType).add("odd", t);
      ColumnEncodingException e = assertThrows(ColumnEncodingException.class, () -> SecretTableSchema.fromSpark(s, 0, 18));
      assertEquals("odd", e.column());
      assertEquals(-1, e.row());
      assertTrue(e.getMessage().contains("'odd'") && e.getMessage().contains(t.sql()) && e.getMessage().contains("not supported"),
          e.getMessage());
    }
  }

  @Test
  void encodingsThatDoNotFitTheTypeAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new SecretColumn("x", 0, LogicalType.of(LogicalType.Kind.INT), ColumnEncoding.fixedPoint(18), true));
    assertThrows(IllegalArgumentException.class,
        () -> new SecretColumn("x", 0, LogicalType.of(LogicalType.Kind.DOUBLE), ColumnEncoding.INTEGER, true));
    assertThrows(IllegalArgumentException.class,
        () -> new SecretColumn("x", 0, LogicalType.of(LogicalType.Kind.STRING), ColumnEncoding.INTEGER, true));
    assertThrows(IllegalArgumentException.class, () -> LogicalType.decimal(39, 2));
    assertThrows(IllegalArgumentException.class, () -> ColumnEncoding.fixedPoint(61));
    SecretColumn a = new SecretColumn("a", 0, LogicalType.of(LogicalType.Kind.INT), ColumnEncoding.INTEGER, true);
    assertThrows(IllegalArgumentException.class, () -> new SecretTableSchema(List.of(a, a)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SecretTableSchema.fromSpark(MIXED, 0, 18, Set.of("nope")));
    assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
  }

  @Test
  void kryoRoundTripGivesAnEqualSchema() {
    SecretTableSchema s = SecretTableSchema.fromSpark(MIXED, 1, 20, Set.of("key", "bin"));
    Kryo writer = SecretSchemaKryo.register(new Kryo());
    Output out = new Output(256, -1);
    writer.writeObject(out, s);
    writer.writeClassAndObject(out, s.column(7));
    byte[] bytes = out.toBytes();
    Kryo reader = SecretSchemaKryo.register(new Kryo()); // a fresh instance, as on another party
    Input in = new Input(bytes);
    assertEquals(s, reader.readObject(in, SecretTableSchema.class));
    assertEquals(s.column(7), reader.readClassAndObject(in));
    assertTrue(bytes.length < 600, "compact: " + bytes.length + " bytes");
  }

  @Test
  void kryoWithoutRegistrationRefusesTheSchema() {
    Kryo plain = new Kryo(); // registration required by default: unregistered classes are an error, not a fallback
    SecretTableSchema s = SecretTableSchema.fromSpark(MIXED, 0, 18);
    assertThrows(IllegalArgumentException.class, () -> plain.writeObject(new Output(64, -1), s));
  }

  @Test
  void javaSerialisationRoundTripsForSparkClosures() throws Exception {
    SecretTableSchema s = SecretTableSchema.fromSpark(MIXED, 3, 18, Set.of("key"));
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
      oos.writeObject(s);
    }
    try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
      assertEquals(s, ois.readObject());
    }
  }
}

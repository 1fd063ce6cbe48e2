package org.sparkspu.arrow;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * kryo5 serialisation of secret-table schemas, so they travel with plans between parties. The
 * format is written field by field (no reflection): a schema is its column count followed by each
 * column's name, owner, logical type (kind, precision, scale) and encoding (kind, fraction bits).
 * Register with {@link #register(Kryo)} on both sides, in the same order as the other classes.
 */
public final class SecretSchemaKryo {
  private SecretSchemaKryo() {}

  /** Registers the schema classes with their serialisers; returns {@code kryo} for chaining. */
  public static Kryo register(Kryo kryo) {
    kryo.register(LogicalType.class, new LogicalTypeSerializer());
    kryo.register(ColumnEncoding.class, new ColumnEncodingSerializer());
    kryo.register(SecretColumn.class, new SecretColumnSerializer());
    kryo.register(SecretTableSchema.class, new SecretTableSchemaSerializer());
    return kryo;
  }

  static final class LogicalTypeSerializer extends Serializer<LogicalType> {
    LogicalTypeSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, LogicalType t) {
      out.writeString(t.kind().name());
      out.writeVarInt(t.precision(), true);
      out.writeVarInt(t.scale(), true);
    }

    @Override
    public LogicalType read(Kryo kryo, Input in, Class<? extends LogicalType> type) {
      return new LogicalType(LogicalType.Kind.valueOf(in.readString()), in.readVarInt(true), in.readVarInt(true));
    }
  }

  static final class ColumnEncodingSerializer extends Serializer<ColumnEncoding> {
    ColumnEncodingSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, ColumnEncoding e) {
      out.writeString(e.kind().name());
      out.writeVarInt(e.fractionBits(), true);
    }

    @Override
    public ColumnEncoding read(Kryo kryo, Input in, Class<? extends ColumnEncoding> type) {
      return new ColumnEncoding(ColumnEncoding.Kind.valueOf(in.readString()), in.readVarInt(true));
    }
  }

  static final class SecretColumnSerializer extends Serializer<SecretColumn> {
    SecretColumnSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, SecretColumn c) {
      out.writeString(c.name());
      out.writeVarInt(c.ownerParty(), true);
      kryo.writeObject(out, c.type());
      kryo.writeObject(out, c.encoding());
      out.writeBoolean(c.nullable());
    }

    @Override
    public SecretColumn read(Kryo kryo, Input in, Class<? extends SecretColumn> type) {
      String name = in.readString();
      int owner = in.readVarInt(true);
      LogicalType t = kryo.readObject(in, LogicalType.class);
      ColumnEncoding e = kryo.readObject(in, ColumnEncoding.class);
      return new SecretColumn(name, owner, t, e, in.readBoolean());
    }
  }

  static final class SecretTableSchemaSerializer extends Serializer<SecretTableSchema> {
    SecretTableSchemaSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, SecretTableSchema s) {
      out.writeVarInt(s.size(), true);
      for (SecretColumn c : s.columns()) kryo.writeObject(out, c);
    }

    @Override
    public SecretTableSchema read(Kryo kryo, Input in, Class<? extends SecretTableSchema> type) {
      int n = in.readVarInt(true);
      List<SecretColumn> cols = new ArrayList<>(n);
      for (int i = 0; i < n; i++) cols.add(kryo.readObject(in, SecretColumn.class));
      return new SecretTableSchema(cols);
    }
  }
}

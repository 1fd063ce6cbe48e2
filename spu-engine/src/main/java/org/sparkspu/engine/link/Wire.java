package org.sparkspu.engine.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes {@link NettyLink} puts on a TCP connection (inside TLS when enabled). Every frame is a
 * 4-byte big-endian body length followed by the body; the first body byte is the frame kind.
 *
 * <pre>
 * frame      = length:int32 body                        length = body bytes, checked before buffering
 * HELLO  (1) = kind magic:int32 version:int16 from:int32 to:int32 sessionLen:int16 session:utf8
 * REJECT (2) = kind reasonLen:int16 reason:utf8
 * READY  (5) = kind
 * LONGS  (3) = kind flags:int8 depth:int32 kernelDepth:int32 tagLen:int16 tag:utf8 count:int32 count x int64 (little-endian)
 * BYTES  (4) = kind flags:int8 depth:int32 kernelDepth:int32 tagLen:int16 tag:utf8 count:int32 count x int8
 * flags      = bit 0: offline (preprocessing) message
 * </pre>
 *
 * Header integers are big-endian (network order). The ring elements of a LONGS frame are
 * little-endian, the native order of the machines we run on, so they are bulk-copied through a
 * {@code LongBuffer} view of the pooled direct buffer on both sides instead of one call per long.
 *
 * <p>The handshake takes three frames. The dialling endpoint (the lower id) sends HELLO naming the
 * session, itself and the endpoint it expects to reach; the listening endpoint checks it and answers
 * with its own HELLO, or with REJECT and a reason and closes; the dialler checks that answer and
 * sends READY, or REJECT and closes. So whichever side finds a mismatch, both learn why. Data frames
 * follow READY. Until the handshake is done a frame may be at most {@link #HANDSHAKE_LIMIT} bytes;
 * after it, at most the link's {@code maxFrameBytes}. A length outside those bounds, an unknown
 * kind, or a body whose fields do not add up to its length is a {@link MalformedFrameException}.
 */
final class Wire {
  static final int MAGIC = 0x53505531; // "SPU1"
  static final short VERSION = 1;
  static final byte HELLO = 1, REJECT = 2, LONGS = 3, BYTES = 4, READY = 5;
  static final int HANDSHAKE_LIMIT = 1024;
  static final int MAX_TAG_BYTES = 512;
  static final int MAX_SESSION_ID_BYTES = 256;
  private static final int OFFLINE = 1;
  /** Data header without the tag: kind, flags, depth, kernelDepth, tagLen, count. */
  private static final int DATA_FIXED = 1 + 1 + 4 + 4 + 2 + 4;

  private Wire() {}

  /** A frame that breaks the format; the message says what is wrong but never quotes payload. */
  static final class MalformedFrameException extends RuntimeException {
    MalformedFrameException(String message) {
      super(message);
    }
  }

  /** A decoded frame body. */
  sealed interface Frame permits Hello, Reject, Ready, Data {}

  record Hello(String sessionId, int from, int to) implements Frame {}

  record Reject(String reason) implements Frame {}

  record Ready() implements Frame {}

  record Data(Message message) implements Frame {}

  static ByteBuf hello(ByteBufAllocator alloc, Hello h) {
    byte[] sid = h.sessionId().getBytes(StandardCharsets.UTF_8);
    int body = 1 + 4 + 2 + 4 + 4 + 2 + sid.length;
    ByteBuf b = alloc.directBuffer(4 + body);
    b.writeInt(body).writeByte(HELLO).writeInt(MAGIC).writeShort(VERSION).writeInt(h.from()).writeInt(h.to());
    b.writeShort(sid.length).writeBytes(sid);
    return b;
  }

  static ByteBuf reject(ByteBufAllocator alloc, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(r.length, HANDSHAKE_LIMIT - 16);
    ByteBuf b = alloc.directBuffer(4 + 3 + len);
    b.writeInt(3 + len).writeByte(REJECT).writeShort(len).writeBytes(r, 0, len);
    return b;
  }

  static ByteBuf ready(ByteBufAllocator alloc) {
    return alloc.directBuffer(5).writeInt(1).writeByte(READY);
  }

  /** Body bytes a data frame for this message needs (may exceed an int for huge payloads). */
  static long dataBodyBytes(Message m) {
    return DATA_FIXED + m.tag().getBytes(StandardCharsets.UTF_8).length + m.payloadBytes();
  }

  /** Encodes a data message into one pooled direct buffer; the caller checked the size. */
  static ByteBuf data(ByteBufAllocator alloc, Message m) {
    byte[] tag = m.tag().getBytes(StandardCharsets.UTF_8);
    if (tag.length > MAX_TAG_BYTES) throw new IllegalArgumentException("tag longer than " + MAX_TAG_BYTES + " bytes");
    boolean longs = m.longs() != null;
    int count = longs ? m.longs().length : m.bytes().length;
    int body = Math.toIntExact(dataBodyBytes(m));
    ByteBuf b = alloc.directBuffer(4 + body);
    try {
      b.writeInt(body).writeByte(longs ? LONGS : BYTES).writeByte(m.offline() ? OFFLINE : 0);
      b.writeInt(m.depth()).writeInt(m.kernelDepth()).writeShort(tag.length).writeBytes(tag).writeInt(count);
      if (longs) {
        int at = b.writerIndex();
        b.nioBuffer(at, 8 * count).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(m.longs());
        b.writerIndex(at + 8 * count);
      } else {
        b.writeBytes(m.bytes());
      }
      return b;
    } catch (RuntimeException e) {
      b.release();
      throw e;
    }
  }

  /** Decodes one frame body (the length prefix already removed); does not release it. */
  static Frame parse(ByteBuf body) {
    if (body.readableBytes() < 1) throw new MalformedFrameException("empty frame");
    byte kind = body.readByte();
    return switch (kind) {
      case HELLO -> parseHello(body);
      case REJECT -> new Reject(readString(body, HANDSHAKE_LIMIT, "reason"));
      case LONGS, BYTES -> parseData(kind, body);
      case READY -> {
        if (body.isReadable()) throw new MalformedFrameException("ready frame with " + body.readableBytes() + " bytes");
        yield new Ready();
      }
      default -> throw new MalformedFrameException("unknown frame kind " + kind);
    };
  }

  private static Hello parseHello(ByteBuf b) {
    need(b, 4 + 2 + 4 + 4, "handshake");
    int magic = b.readInt();
    if (magic != MAGIC) throw new MalformedFrameException("not a spark-spu handshake (bad magic number)");
    short version = b.readShort();
    if (version != VERSION) {
      throw new MalformedFrameException("wire version " + version + ", this endpoint speaks version " + VERSION);
    }
    int from = b.readInt(), to = b.readInt();
    String sid = readString(b, MAX_SESSION_ID_BYTES, "session id");
    if (b.isReadable()) throw new MalformedFrameException("handshake has " + b.readableBytes() + " trailing bytes");
    return new Hello(sid, from, to);
  }

  private static Data parseData(byte kind, ByteBuf b) {
    need(b, DATA_FIXED - 1, "message header");
    int flags = b.readByte();
    if ((flags & ~OFFLINE) != 0) throw new MalformedFrameException("unknown flags " + flags + " in message header");
    int depth = b.readInt(), kernelDepth = b.readInt();
    if (depth < 0 || kernelDepth < 0) throw new MalformedFrameException("negative round depth in message header");
    String tag = readString(b, MAX_TAG_BYTES, "tag");
    need(b, 4, "element count");
    int count = b.readInt();
    long width = kind == LONGS ? 8 : 1;
    if (count < 0 || count * width != b.readableBytes()) {
      throw new MalformedFrameException("message header announces " + count + " elements of " + width
          + " bytes but the frame carries " + b.readableBytes() + " payload bytes");
    }
    boolean offline = (flags & OFFLINE) != 0;
    if (kind == LONGS) {
      long[] v = new long[count];
      b.nioBuffer(b.readerIndex(), 8 * count).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
      b.skipBytes(8 * count);
      return new Data(new Message(tag, depth, kernelDepth, offline, v, null));
    }
    byte[] v = new byte[count];
    b.readBytes(v);
    return new Data(new Message(tag, depth, kernelDepth, offline, null, v));
  }

  private static String readString(ByteBuf b, int max, String what) {
    need(b, 2, what + " length");
    int len = b.readUnsignedShort();
    if (len > max) throw new MalformedFrameException(what + " of " + len + " bytes exceeds " + max);
    need(b, len, what);
    byte[] s = new byte[len];
    b.readBytes(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static void need(ByteBuf b, int n, String what) {
    if (b.readableBytes() < n) throw new MalformedFrameException("frame too short for its " + what);
  }

  /**
   * Splits the stream into frame bodies, checking each length prefix before buffering the body,
   * so that garbage claiming a huge frame fails at once instead of exhausting memory.
   */
  static final class FrameDecoder extends ByteToMessageDecoder {
    private final int dataLimit;
    private int limit = HANDSHAKE_LIMIT;

    FrameDecoder(int dataLimit) {
      this.dataLimit = dataLimit;
    }

    /** Called on the event loop once the handshake succeeded: data frames may now be large. */
    void handshakeDone() {
      limit = dataLimit;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < 4) return;
      int len = in.getInt(in.readerIndex());
      if (len < 1 || len > limit) {
        in.skipBytes(in.readableBytes());
        throw new MalformedFrameException("frame length " + Integer.toUnsignedString(len) + " outside 1.." + limit
            + (limit == HANDSHAKE_LIMIT ? " allowed for a handshake" : " (the link's frame limit)"));
      }
      if (in.readableBytes() < 4 + len) return;
      in.skipBytes(4);
      out.add(in.readRetainedSlice(len));
    }
  }
}

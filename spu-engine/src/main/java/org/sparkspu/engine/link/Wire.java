package org.sparkspu.engine.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes {@link NettyLink} puts on a TCP connection (inside TLS when enabled). Every frame is a
 * 4-byte big-endian body length followed by the body; the first body byte is the frame kind.
 *
 * <pre>
 * frame      = length:int32 body          length = body bytes, checked before anything is buffered
 * HELLO  (1) = kind magic:int32 version:int16 from:int32 to:int32 sessionLen:int16 session:utf8
 * REJECT (2) = kind reasonLen:int16 reason:utf8
 * READY  (5) = kind
 * LONGS  (3) = kind flags:int8 depth:int32 kernelDepth:int32 count:int32 tagLen:int16 tag:utf8 count x int64 (little-endian)
 * BYTES  (4) = kind flags:int8 depth:int32 kernelDepth:int32 count:int32 tagLen:int16 tag:utf8 count x int8
 * flags      = bit 0: offline (preprocessing) message
 * </pre>
 *
 * Header integers are big-endian (network order). The ring elements of a LONGS frame are
 * little-endian, the native order of the machines we run on, so they are bulk-copied through a
 * {@code LongBuffer} view of pooled direct buffers on both sides instead of one call per long:
 * the sender fills pooled chunks of {@link #CHUNK} bytes, the receiver copies each arriving
 * socket buffer straight into the destination {@code long[]} (no reassembly of the frame).
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
  /** Payload bytes per pooled buffer when sending (a multiple of 8). */
  static final int CHUNK = 256 * 1024;
  private static final int OFFLINE = 1;
  /** Data header before the tag: kind, flags, depth, kernelDepth, count, tagLen. */
  private static final int DATA_FIXED = 1 + 1 + 4 + 4 + 4 + 2;

  private Wire() {}

  /** A frame that breaks the format; the message says what is wrong but never quotes payload. */
  static final class MalformedFrameException extends RuntimeException {
    MalformedFrameException(String message) {
      super(message);
    }
  }

  /** A decoded frame. */
  sealed interface Frame permits Hello, Reject, Ready, Data {}

  record Hello(String sessionId, int from, int to) implements Frame {}

  record Reject(String reason) implements Frame {}

  record Ready() implements Frame {}

  record Data(Message message) implements Frame {}

  // ---- encoding ----

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

  /**
   * Encodes a data message into pooled direct buffers: one buffer when the payload is at most
   * {@link #CHUNK} bytes, else a composite of the header and payload chunks (written with one
   * gathering write). The caller checked the size against the frame limit.
   */
  static ByteBuf data(ByteBufAllocator alloc, Message m) {
    byte[] tag = m.tag().getBytes(StandardCharsets.UTF_8);
    if (tag.length > MAX_TAG_BYTES) throw new IllegalArgumentException("tag longer than " + MAX_TAG_BYTES + " bytes");
    boolean longs = m.longs() != null;
    int count = longs ? m.longs().length : m.bytes().length;
    int body = Math.toIntExact(dataBodyBytes(m));
    int payload = Math.toIntExact(m.payloadBytes());
    int inHead = payload <= CHUNK ? payload : 0;
    ByteBuf head = alloc.directBuffer(4 + DATA_FIXED + tag.length + inHead);
    CompositeByteBuf frame = null;
    try {
      head.writeInt(body).writeByte(longs ? LONGS : BYTES).writeByte(m.offline() ? OFFLINE : 0);
      head.writeInt(m.depth()).writeInt(m.kernelDepth()).writeInt(count).writeShort(tag.length).writeBytes(tag);
      if (inHead == payload) {
        writePayload(head, m, 0, payload);
        return head;
      }
      frame = alloc.compositeDirectBuffer(2 + payload / CHUNK);
      frame.addComponent(true, head);
      for (int at = 0; at < payload; at += CHUNK) {
        int len = Math.min(CHUNK, payload - at);
        ByteBuf chunk = alloc.directBuffer(len);
        try {
          writePayload(chunk, m, at, len);
        } catch (RuntimeException e) {
          chunk.release();
          throw e;
        }
        frame.addComponent(true, chunk); // owned by the frame from here on
      }
      return frame;
    } catch (RuntimeException e) {
      if (frame != null) frame.release();
      else head.release();
      throw e;
    }
  }

  /** Copies payload bytes [from, from + len) of the message to the buffer's writer index. */
  private static void writePayload(ByteBuf b, Message m, int from, int len) {
    if (m.longs() == null) {
      b.writeBytes(m.bytes(), from, len);
      return;
    }
    int at = b.writerIndex();
    b.ensureWritable(len);
    b.nioBuffer(at, len).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(m.longs(), from / 8, len / 8);
    b.writerIndex(at + len);
  }

  // ---- decoding ----

  /** Decodes one whole frame body (the length prefix removed); used for handshake frames and tests. */
  static Frame parse(ByteBuf body) {
    if (body.readableBytes() < 1) throw new MalformedFrameException("empty frame");
    byte kind = body.readByte();
    return switch (kind) {
      case HELLO -> parseHello(body);
      case REJECT -> {
        Reject r = new Reject(readString(body, HANDSHAKE_LIMIT, "reason"));
        noTrailing(body, "rejection");
        yield r;
      }
      case READY -> {
        noTrailing(body, "ready");
        yield new Ready();
      }
      case LONGS, BYTES -> {
        Payload p = Payload.start(kind, body, body.readableBytes());
        p.consume(body);
        yield p.frame();
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
    noTrailing(b, "handshake");
    return new Hello(sid, from, to);
  }

  private static void noTrailing(ByteBuf b, String what) {
    if (b.isReadable()) throw new MalformedFrameException(what + " frame has " + b.readableBytes() + " trailing bytes");
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

  /** The payload of one data frame, filled as its bytes arrive. */
  private static final class Payload {
    private final byte kind;
    private final boolean offline;
    private final int depth, kernelDepth;
    private final String tag;
    private final long[] longs;
    private final byte[] bytes;
    private final byte[] carry = new byte[8]; // a long split across two socket buffers
    private int carried;
    private int filled; // elements

    private Payload(byte kind, boolean offline, int depth, int kernelDepth, String tag, int count) {
      this.kind = kind;
      this.offline = offline;
      this.depth = depth;
      this.kernelDepth = kernelDepth;
      this.tag = tag;
      this.longs = kind == LONGS ? new long[count] : null;
      this.bytes = kind == BYTES ? new byte[count] : null;
    }

    /**
     * Reads a data header (the kind byte already read) and checks that its element count fills
     * exactly the rest of the frame, {@code remaining} bytes from the header's start.
     */
    static Payload start(byte kind, ByteBuf h, int remaining) {
      need(h, DATA_FIXED - 1, "message header");
      int start = h.readableBytes();
      int flags = h.readByte();
      if ((flags & ~OFFLINE) != 0) throw new MalformedFrameException("unknown flags " + flags + " in message header");
      int depth = h.readInt(), kernelDepth = h.readInt(), count = h.readInt();
      if (depth < 0 || kernelDepth < 0) throw new MalformedFrameException("negative round depth in message header");
      String tag = readString(h, MAX_TAG_BYTES, "tag");
      long payloadBytes = remaining - (start - h.readableBytes());
      long width = kind == LONGS ? 8 : 1;
      if (count < 0 || count * width != payloadBytes) {
        throw new MalformedFrameException("message header announces " + count + " elements of " + width
            + " bytes but the frame carries " + payloadBytes + " payload bytes");
      }
      return new Payload(kind, (flags & OFFLINE) != 0, depth, kernelDepth, tag, count);
    }

    boolean done() {
      return filled == (longs != null ? longs.length : bytes.length);
    }

    /** Takes this payload's bytes from {@code in}, leaving whatever follows the frame. */
    void consume(ByteBuf in) {
      if (bytes != null) {
        int n = Math.min(in.readableBytes(), bytes.length - filled);
        in.readBytes(bytes, filled, n);
        filled += n;
        return;
      }
      if (carried > 0) {
        int n = Math.min(8 - carried, in.readableBytes());
        in.readBytes(carry, carried, n);
        carried += n;
        if (carried < 8) return;
        longs[filled++] = Unpooled.wrappedBuffer(carry).getLongLE(0);
        carried = 0;
      }
      int whole = Math.min(in.readableBytes() / 8, longs.length - filled);
      if (whole > 0) {
        LongBuffer view = in.nioBuffer(in.readerIndex(), 8 * whole).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        view.get(longs, filled, whole);
        in.skipBytes(8 * whole);
        filled += whole;
      }
      if (!done() && in.isReadable()) { // fewer than 8 bytes left, all of them ours
        carried = in.readableBytes();
        in.readBytes(carry, 0, carried);
      }
    }

    Data frame() {
      if (!done()) throw new MalformedFrameException("frame too short for its payload");
      return new Data(new Message(tag, depth, kernelDepth, offline, longs, bytes));
    }
  }

  /**
   * Turns the byte stream into {@link Frame}s. It checks each length prefix before buffering
   * anything, so garbage claiming a huge frame fails at once instead of exhausting memory; it
   * buffers only frame headers and handshake frames, and copies data payloads straight from the
   * socket buffers into the message arrays. A malformed frame throws (once) and the rest of the
   * stream is ignored; the next handler closes the connection.
   */
  static final class FrameDecoder extends ChannelInboundHandlerAdapter {
    private final int dataLimit;
    private int limit = HANDSHAKE_LIMIT;
    private final ByteBuf head = Unpooled.buffer(4 + HANDSHAKE_LIMIT); // length prefix, then header or small frame
    private int bodyLength = -1; // -1 until the length prefix is complete
    private int headNeed; // bytes of the body to buffer before it can be parsed
    private Payload payload;
    private boolean broken;

    FrameDecoder(int dataLimit) {
      this.dataLimit = dataLimit;
    }

    /** Called on the event loop once the handshake succeeded: data frames may now be large. */
    void handshakeDone() {
      limit = dataLimit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        while (in.isReadable() && !broken) {
          Frame f = step(in);
          if (f != null) ctx.fireChannelRead(f);
        }
      } catch (MalformedFrameException e) {
        broken = true;
        throw e;
      } finally {
        in.release();
      }
    }

    /** Consumes bytes of one frame; returns the frame when it is complete. */
    private Frame step(ByteBuf in) {
      if (payload != null) {
        payload.consume(in);
        return payload.done() ? finish(payload.frame()) : null;
      }
      if (bodyLength < 0) {
        head.writeBytes(in, Math.min(4 - head.readableBytes(), in.readableBytes()));
        if (head.readableBytes() < 4) return null;
        bodyLength = head.readInt();
        head.clear();
        if (bodyLength < 1 || bodyLength > limit) {
          throw new MalformedFrameException("frame length " + Integer.toUnsignedString(bodyLength) + " outside 1.."
              + limit + (limit == HANDSHAKE_LIMIT ? " allowed for a handshake" : " (the link's frame limit)"));
        }
        headNeed = 1;
        return null;
      }
      head.writeBytes(in, Math.min(headNeed - head.readableBytes(), in.readableBytes()));
      if (head.readableBytes() < headNeed) return null;
      byte kind = head.getByte(0);
      boolean data = kind == LONGS || kind == BYTES;
      if (!data) {
        if (bodyLength > HANDSHAKE_LIMIT) {
          throw new MalformedFrameException("control frame of kind " + kind + " with " + bodyLength + " bytes");
        }
        if (headNeed < bodyLength) { // buffer the whole (small) frame, then parse it
          headNeed = bodyLength;
          return null;
        }
        return finish(parse(head));
      }
      if (headNeed < DATA_FIXED) {
        headNeed = Math.min(DATA_FIXED, bodyLength);
        if (headNeed < DATA_FIXED) throw new MalformedFrameException("frame too short for its message header");
        return null;
      }
      int tagLen = head.getUnsignedShort(DATA_FIXED - 2);
      if (tagLen > MAX_TAG_BYTES) throw new MalformedFrameException("tag of " + tagLen + " bytes exceeds " + MAX_TAG_BYTES);
      if (headNeed < DATA_FIXED + tagLen) {
        headNeed = DATA_FIXED + tagLen;
        if (headNeed > bodyLength) throw new MalformedFrameException("frame too short for its tag");
        return null;
      }
      head.skipBytes(1);
      payload = Payload.start(kind, head, bodyLength - 1);
      return payload.done() ? finish(payload.frame()) : null;
    }

    private Frame finish(Frame f) {
      payload = null;
      bodyLength = -1;
      head.clear();
      return f;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      head.release();
    }
  }
}

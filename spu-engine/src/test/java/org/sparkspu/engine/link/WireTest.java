package org.sparkspu.engine.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame format without sockets: encoding, and decoding however the stream is sliced. */
class WireTest {
  private static final PooledByteBufAllocator POOL = PooledByteBufAllocator.DEFAULT;

  private static Wire.FrameDecoder readyDecoder(int limit) {
    Wire.FrameDecoder d = new Wire.FrameDecoder(limit);
    d.handshakeDone();
    return d;
  }

  /** Feeds the encoded frames to a decoder in slices of random sizes between 1 and maxSlice bytes. */
  private static EmbeddedChannel feed(Wire.FrameDecoder d, int maxSlice, long seed, ByteBuf... frames) {
    EmbeddedChannel ch = new EmbeddedChannel(d);
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf f : frames) {
      all.writeBytes(f);
      f.release();
    }
    Random r = new Random(seed);
    while (all.isReadable()) {
      int n = Math.min(all.readableBytes(), 1 + r.nextInt(maxSlice));
      ByteBuf slice = POOL.directBuffer(n).writeBytes(all, n);
      ch.writeInbound(slice);
    }
    all.release();
    return ch;
  }

  @Test
  void longsSplitAtArbitraryOffsetsDecodeExactly() {
    long[] big = new Random(1).longs(3 * Wire.CHUNK / 8 + 5).toArray(); // more than one sending chunk
    long[] small = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE};
    Message m1 = new Message("big", 7, 2, false, big, null), m2 = new Message("s", 8, 0, true, small, null);
    for (int maxSlice : new int[] {1, 7, 13, 4096, 1 << 20}) {
      ByteBuf f1 = Wire.data(POOL, m1);
      assertEquals(4 + Wire.dataBodyBytes(m1), f1.readableBytes());
      EmbeddedChannel ch = feed(readyDecoder(1 << 24), maxSlice, maxSlice, f1, Wire.data(POOL, m2));
      Message got1 = assertInstanceOf(Wire.Data.class, ch.readInbound()).message();
      Message got2 = assertInstanceOf(Wire.Data.class, ch.readInbound()).message();
      assertNull(ch.readInbound());
      assertArrayEquals(big, got1.longs(), "slices of at most " + maxSlice);
      assertEquals("big", got1.tag());
      assertEquals(7, got1.depth());
      assertEquals(2, got1.kernelDepth());
      assertArrayEquals(small, got2.longs());
      assertTrue(got2.offline());
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void bytesAndEmptyPayloadsDecodeByteByByte() {
    byte[] b = new byte[300];
    new Random(2).nextBytes(b);
    EmbeddedChannel ch = feed(readyDecoder(1 << 20), 1, 3, Wire.data(POOL, new Message("b-ü", 1, 1, true, null, b)),
        Wire.data(POOL, new Message("", 0, 0, false, new long[0], null)),
        Wire.data(POOL, new Message("e", 0, 0, false, null, new byte[0])));
    Message got = assertInstanceOf(Wire.Data.class, ch.readInbound()).message();
    assertArrayEquals(b, got.bytes());
    assertEquals("b-ü", got.tag());
    assertEquals(0, assertInstanceOf(Wire.Data.class, ch.readInbound()).message().longs().length);
    assertEquals(0, assertInstanceOf(Wire.Data.class, ch.readInbound()).message().bytes().length);
    ch.finishAndReleaseAll();
  }

  @Test
  void handshakeFramesRoundTripAndDataIsRefusedBeforeTheHandshake() {
    EmbeddedChannel ch = feed(new Wire.FrameDecoder(1 << 20), 3, 4, Wire.hello(POOL, new Wire.Hello("job", 0, 2)),
        Wire.reject(POOL, "no"), Wire.ready(POOL));
    assertEquals(new Wire.Hello("job", 0, 2), ch.readInbound());
    assertEquals(new Wire.Reject("no"), ch.readInbound());
    assertEquals(new Wire.Ready(), ch.readInbound());
    ch.finishAndReleaseAll();
    ByteBuf data = Wire.data(POOL, new Message("t", 0, 0, false, new long[200], null));
    Wire.MalformedFrameException e = assertThrows(Wire.MalformedFrameException.class,
        () -> feed(new Wire.FrameDecoder(1 << 20), 4096, 5, data));
    assertTrue(e.getMessage().startsWith("frame length 1617 outside 1..1024 allowed for a handshake"), e.getMessage());
  }
}

package org.sparkspu.engine.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkspu.engine.link.LoopbackLinks.LOOPBACK;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.link.LoopbackLinks.Links;

/** NettyLink over real loopback TCP: payloads, tags, and every way a peer can fail. */
class NettyLinkTest {
  private static final Duration LONG = Duration.ofSeconds(20);
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static long[] random(long seed, int n) {
    Random r = new Random(seed);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = r.nextLong();
    return v;
  }

  @Test
  void tensorOf2To20LongsRoundTripsExactlyBothWays() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(2, LONG, NettyOptions.plain())) {
        long[] x = random(1, 1 << 20), y = random(2, 1 << 20);
        x[0] = Long.MIN_VALUE;
        x[1] = -1;
        l.get(0).send(1, "x", x);
        l.get(1).send(0, "y", y, true);
        assertArrayEquals(x, l.get(1).recv(0, "x"));
        assertArrayEquals(y, l.get(0).recv(1, "y"));
        assertEquals(8L << 20, l.get(0).stats().bytesSent());
        assertEquals(8L << 20, l.get(0).stats().offlineBytesReceived());
      }
    });
  }

  @Test
  void bytesEmptyPayloadsAndUnicodeTagsArriveInOrder() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(3, LONG, NettyOptions.plain())) {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        l.get(2).send(0, "empty", new long[0]);
        l.get(2).sendBytes(0, "schritt-ü", hello);
        l.get(2).sendBytes(0, "none", new byte[0], true);
        l.get(1).send(0, "one", new long[] {42});
        assertEquals(0, l.get(0).recv(2, "empty").length);
        assertArrayEquals(hello, l.get(0).recvBytes(2, "schritt-ü"));
        assertEquals(0, l.get(0).recvBytes(2, "none").length);
        assertArrayEquals(new long[] {42}, l.get(0).recv(1, "one"));
        assertTrue(l.get(0).describe(2).matches("party 2 \\(127\\.0\\.0\\.1:\\d+\\)"), l.get(0).describe(2));
        assertEquals(Epoll.isAvailable() ? "epoll" : "nio", l.get(0).transport());
      }
    });
  }

  @Test
  void unexpectedTagOrPayloadKindIsAProtocolDesyncNamingThePeer() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(2, LONG, NettyOptions.plain())) {
        l.get(1).send(0, "mul.open", new long[] {1});
        ProtocolDesyncException tag = assertThrows(ProtocolDesyncException.class, () -> l.get(0).recv(1, "less.open"));
        assertTrue(tag.getMessage().contains("'less.open'") && tag.getMessage().contains("'mul.open'"), tag.getMessage());
        assertTrue(tag.getMessage().contains(l.get(0).describe(1)), tag.getMessage());
        assertEquals(1, tag.peer());
        l.get(1).sendBytes(0, "seed", new byte[] {1});
        ProtocolDesyncException kind = assertThrows(ProtocolDesyncException.class, () -> l.get(0).recv(1, "seed"));
        assertTrue(kind.getMessage().contains("expected ring elements"), kind.getMessage());
      }
    });
  }

  @Test
  void silentPeerTimesOutWithAnErrorNamingItAndItsAddress() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(2, Duration.ofMillis(300), NettyOptions.plain())) {
        PeerTimeoutException e = assertThrows(PeerTimeoutException.class, () -> l.get(0).recv(1, "never"));
        assertTrue(e.getMessage().contains("waited 300 ms for 'never' from " + l.get(0).describe(1)), e.getMessage());
        assertTrue(l.get(0).describe(1).startsWith("party 1 (127.0.0.1:"), l.get(0).describe(1));
      }
    });
  }

  @Test
  void peerThatNeverListensFailsTheDiallerWithinTheTimeout() throws Exception {
    int dead = LoopbackLinks.deadPort();
    long t0 = System.nanoTime();
    PeerTimeoutException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(PeerTimeoutException.class, () -> {
      NettyNetwork.Listener me = NettyNetwork.bind(0, 2, "s", new InetSocketAddress(LOOPBACK, 0), Duration.ofMillis(800),
          NettyOptions.plain());
      me.connect(List.of(new InetSocketAddress(LOOPBACK, me.port()), new InetSocketAddress(LOOPBACK, dead)));
    }));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(e.getMessage().contains("party 0 could not connect to party 1 (127.0.0.1:" + dead + ") within 800 ms"),
        e.getMessage());
    assertTrue(e.getMessage().contains("last attempt"), e.getMessage());
    assertEquals(1, e.peer());
    assertTrue(ms >= 700, "gave up after " + ms + " ms, before the timeout");
  }

  @Test
  void peerThatNeverDialsFailsTheListenerWithinTheTimeout() throws Exception {
    int dead = LoopbackLinks.deadPort();
    PeerTimeoutException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(PeerTimeoutException.class, () -> {
      NettyNetwork.Listener me = NettyNetwork.bind(1, 2, "s", new InetSocketAddress(LOOPBACK, 0), Duration.ofMillis(500),
          NettyOptions.plain());
      me.connect(List.of(new InetSocketAddress(LOOPBACK, dead), new InetSocketAddress(LOOPBACK, me.port())));
    }));
    assertTrue(e.getMessage().contains("party 1 waited 500 ms for party 0 (127.0.0.1:" + dead + ") to connect"),
        e.getMessage());
    assertEquals(0, e.peer());
  }

  @Test
  void sessionIdMismatchIsRejectedByBothSidesAtOnce() {
    assertTimeoutPreemptively(BOUND, () -> {
      List<CompletableFuture<NettyLink>> f = LoopbackLinks.connectAll(2, LONG, e -> NettyOptions.plain(),
          e -> "job-" + e);
      for (int e = 0; e < 2; e++) {
        Throwable t = assertThrows(Exception.class, f.get(e)::join).getCause();
        assertTrue(t instanceof LinkException, String.valueOf(t));
        assertTrue(t.getMessage().contains("session 'job-1'") && t.getMessage().contains("session 'job-0'"),
            t.getMessage());
      }
    });
  }

  @Test
  void closedPeerFailsWaitingAndLaterReceivesPromptlyAfterItsEarlierMessages() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(3, LONG, NettyOptions.plain())) {
        CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
          try {
            l.get(0).recv(2, "never sent");
            return null;
          } catch (Throwable t) {
            return t;
          }
        });
        l.get(1).send(0, "last words", random(3, 1000));
        l.get(1).close();
        l.get(2).close();
        assertArrayEquals(random(3, 1000), l.get(0).recv(1, "last words"));
        PeerClosedException later = assertThrows(PeerClosedException.class, () -> l.get(0).recv(1, "next"));
        assertTrue(later.getMessage().contains("the connection to " + l.get(0).describe(1) + " closed"),
            later.getMessage());
        Throwable pending = waiting.get(5, TimeUnit.SECONDS);
        assertTrue(pending instanceof PeerClosedException, String.valueOf(pending));
        assertEquals(2, ((PeerClosedException) pending).peer());
        assertThrows(PeerClosedException.class, () -> l.get(0).recv(1, "again"));
        PeerClosedException send = assertThrows(PeerClosedException.class, () -> l.get(0).send(1, "x", new long[1]));
        assertTrue(send.getMessage().contains("cannot send 'x' to " + l.get(0).describe(1)), send.getMessage());
      }
    });
  }

  static Stream<Arguments> garbage() {
    byte[] noise = new byte[64];
    new Random(9).nextBytes(noise);
    return Stream.of(
        Arguments.of("http request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("random bytes", noise),
        Arguments.of("short frame with a bad magic number", new byte[] {0, 0, 0, 15, 1, 1, 2, 3, 4, 0, 1, 0, 0, 0, 0,
            0, 0, 0, 1}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void garbageSentToAListeningPortFailsConnectingWithAClearError(String what, byte[] bytes) {
    assertTimeoutPreemptively(BOUND, () -> {
      NettyNetwork.Listener me = NettyNetwork.bind(1, 2, "s", new InetSocketAddress(LOOPBACK, 0), LONG,
          NettyOptions.plain());
      CompletableFuture<NettyLink> connecting = CompletableFuture.supplyAsync(() -> me.connect(
          List.of(new InetSocketAddress(LOOPBACK, 1), new InetSocketAddress(LOOPBACK, me.port()))));
      try (Socket s = new Socket(LOOPBACK, me.port())) {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
        Throwable t = assertThrows(Exception.class, connecting::join).getCause();
        assertTrue(t instanceof LinkException, String.valueOf(t));
        assertTrue(t.getMessage().startsWith("party 1 rejected a connection from 127.0.0.1:" + s.getLocalPort()
            + ": it sent a malformed frame ("), t.getMessage());
      } finally {
        me.close();
      }
    });
  }

  /** Plays endpoint 0 by hand: a correct handshake, then whatever bytes the test wants. */
  private static final class RawPeer implements AutoCloseable {
    final Socket socket = new Socket();
    final NettyLink link;

    RawPeer(String sid, NettyOptions options) throws Exception {
      socket.bind(new InetSocketAddress(LOOPBACK, 0));
      NettyNetwork.Listener listener = NettyNetwork.bind(1, 2, sid, new InetSocketAddress(LOOPBACK, 0), LONG, options);
      CompletableFuture<NettyLink> connecting = CompletableFuture.supplyAsync(() -> listener.connect(List.of(
          new InetSocketAddress(LOOPBACK, socket.getLocalPort()), new InetSocketAddress(LOOPBACK, listener.port()))));
      socket.connect(new InetSocketAddress(LOOPBACK, listener.port()));
      ByteBuf hello = Wire.hello(UnpooledByteBufAllocator.DEFAULT, new Wire.Hello(sid, 0, 1));
      write(ByteBufUtil.getBytes(hello));
      hello.release();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] reply = new byte[in.readInt()];
      in.readFully(reply);
      assertEquals(Wire.HELLO, reply[0], "listener answered the handshake");
      ByteBuf ready = Wire.ready(UnpooledByteBufAllocator.DEFAULT);
      write(ByteBufUtil.getBytes(ready));
      ready.release();
      link = connecting.get(5, TimeUnit.SECONDS);
    }

    void write(byte[] b) throws Exception {
      OutputStream out = socket.getOutputStream();
      out.write(b);
      out.flush();
    }

    @Override
    public void close() throws java.io.IOException {
      link.close();
      socket.close();
    }
  }

  private static byte[] dataFrame(Message m) {
    ByteBuf b = Wire.data(UnpooledByteBufAllocator.DEFAULT, m);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  private static byte[] frame(int announcedLength, byte... body) {
    return ByteBuffer.allocate(4 + body.length).putInt(announcedLength).put(body).array();
  }

  static Stream<Arguments> badFrames() {
    byte[] countTooBig = ByteBuffer.allocate(1 + 1 + 4 + 4 + 4 + 2 + 1 + 8).put(Wire.LONGS).put((byte) 0).putInt(0)
        .putInt(0).putInt(2).putShort((short) 1).put((byte) 't').putLong(7).array();
    return Stream.of(
        Arguments.of("unknown frame kind", frame(3, (byte) 77, (byte) 0, (byte) 0), "unknown frame kind 77"),
        Arguments.of("length over the frame limit", frame(1 << 20, (byte) 3), "frame length 1048576 outside 1..65536"),
        Arguments.of("negative length", frame(-5, (byte) 3), "frame length 4294967291 outside"),
        Arguments.of("count larger than the payload", frame(countTooBig.length, countTooBig),
            "announces 2 elements of 8 bytes but the frame carries 8 payload bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrames")
  void malformedFrameAfterTheHandshakeFailsReceivesNamingThePeer(String what, byte[] bytes, String reason) {
    assertTimeoutPreemptively(BOUND, () -> {
      try (RawPeer peer = new RawPeer("s-" + UUID.randomUUID(), NettyOptions.plain().withMaxFrameBytes(1 << 16))) {
        peer.write(dataFrame(new Message("ok", 0, 0, false, new long[] {5}, null)));
        peer.write(bytes);
        assertArrayEquals(new long[] {5}, peer.link.recv(0, "ok"), "a good frame before the garbage is delivered");
        LinkException e = assertThrows(LinkException.class, () -> peer.link.recv(0, "next"));
        assertFalse(e instanceof PeerClosedException, "garbage is not a clean close: " + e);
        assertTrue(e.getMessage().startsWith("party 1 receiving from party 0 (127.0.0.1:" + peer.socket.getLocalPort()
            + "): it sent a malformed frame"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertEquals(0, e.peer());
      }
    });
  }

  @Test
  void messageOverTheFrameLimitFailsAtTheSender() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(2, LONG, NettyOptions.plain().withMaxFrameBytes(1 << 16))) {
        LinkException e = assertThrows(LinkException.class, () -> l.get(0).send(1, "huge", new long[1 << 13]));
        assertTrue(e.getMessage().contains("exceed the frame limit of 65536 bytes"), e.getMessage());
        long[] fits = random(4, (1 << 13) - 8);
        l.get(0).send(1, "fits", fits);
        assertArrayEquals(fits, l.get(1).recv(0, "fits"));
      }
    });
  }

  @Test
  void addedLatencyDelaysEveryMessage() {
    Duration latency = Duration.ofMillis(60);
    assertTimeoutPreemptively(BOUND, () -> {
      try (Links l = LoopbackLinks.open(2, LONG, NettyOptions.plain().withAddedLatency(latency))) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
          l.get(0).send(1, "ping", new long[] {i});
          assertEquals(i, l.get(1).recv(0, "ping")[0]);
          l.get(1).send(0, "pong", new long[] {i});
          assertEquals(i, l.get(0).recv(1, "pong")[0]);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 6 * latency.toMillis(), "6 one-way messages took only " + ms + " ms");
      }
    });
  }

  @Test
  void closeWritesOutQueuedMessagesAndReleasesTheEventLoopThreads() {
    assertTimeoutPreemptively(BOUND, () -> {
      Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
      Links l = LoopbackLinks.open(3, LONG, NettyOptions.plain().withAddedLatency(Duration.ofMillis(30)));
      List<Thread> ours = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (!before.contains(t) && t.getName().startsWith("spu-netty-party-")) ours.add(t);
      }
      assertFalse(ours.isEmpty(), "the links run on their own event loop threads");
      long[] big = random(5, 1 << 18);
      l.get(0).send(2, "queued", big);
      l.get(0).close(); // the message is still waiting for its added latency: close must send it first
      assertArrayEquals(big, l.get(2).recv(0, "queued"));
      l.close();
      for (Thread t : ours) t.join(5000);
      for (Thread t : ours) assertFalse(t.isAlive(), "event loop thread left running: " + t.getName());
    });
  }
}

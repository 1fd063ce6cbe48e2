package org.sparkspu.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkspu.engine.link.LinkStats;
import org.sparkspu.engine.link.NettyOptions;
import org.sparkspu.engine.link.TestPki;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.ProtocolContext.DealerMode;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/** The protocols over real Netty links on loopback: same results as plaintext, same counters as in memory. */
class NettyLoopbackTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration BOUND = Duration.ofSeconds(30);

  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of(SessionConfig.of("ref2k", 3).withTimeout(TIMEOUT)),
        Arguments.of(SessionConfig.semi2k(2).withTimeout(TIMEOUT)),
        Arguments.of(SessionConfig.semi2k(2).withDealer(DealerMode.THIRD_PARTY).withTimeout(TIMEOUT)),
        Arguments.of(SessionConfig.aby3().withTimeout(TIMEOUT)));
  }

  /** Values with |v| < 2^62 (so a - b never wraps) mixed with edges. */
  static long[] values(long seed, int n) {
    Random r = new Random(seed);
    long[] edges = {0, 1, -1, (1L << 62) - 1, -(1L << 62) + 1, 1L << 40, -(1L << 40)};
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = i < edges.length ? edges[i] : r.nextLong() >> 2;
    return v;
  }

  private static Share in(Session s, int owner, long[] v, Shape shape) {
    return s.protocol().input(owner, s.self() == owner ? RingTensor.wrap(v, shape) : null, shape);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyKernelOverNettyLoopbackMatchesPlaintext(SessionConfig cfg) {
    int n = 1500, m = 6, k = 4, c = 3;
    long[] x = values(1, n), y = values(2, n);
    for (int i = 0; i < 40; i++) y[n - 1 - i] = x[n - 1 - i]; // equal pairs
    long[] small = new Random(3).longs(n).map(v -> v >> 21).toArray(); // |v| < 2^43, as after a product
    long[] ma = values(4, m * k), mb = values(5, k * c);
    Shape vec = Shape.vector(n);
    var res = assertTimeoutPreemptively(BOUND, () -> NettyLoopback.run(cfg, Duration.ZERO, s -> {
      Protocol p = s.protocol();
      int last = s.parties() - 1;
      Share a = in(s, 0, x, vec), b = in(s, last, y, vec), t = in(s, 0, small, vec);
      Share ta = in(s, 0, ma, Shape.of(m, k)), tb = in(s, last, mb, Shape.of(k, c));
      Share lt = p.lessThan(a, b);
      List<long[]> out = new ArrayList<>();
      out.add(p.reveal(p.mul(a, b)).data());
      out.add(p.reveal(lt).data());
      out.add(p.reveal(p.equal(a, b)).data());
      out.add(p.reveal(p.select(lt, a, b)).data());
      out.add(p.reveal(p.b2a(p.andB(p.a2b(a), p.a2b(b)))).data());
      out.add(p.reveal(p.trunc(t, 18)).data());
      out.add(p.reveal(p.matmul(ta, tb)).data());
      out.add(p.reveal(p.addPublic(p.mulPublic(a, RingTensor.fill(vec, 7)), RingTensor.fill(vec, -3))).data());
      RingTensor toLast = p.revealTo(a, last);
      out.add(toLast == null ? null : toLast.data());
      return out;
    }));
    long[] mm = RingTensor.wrap(ma, Shape.of(m, k)).matmul(RingTensor.wrap(mb, Shape.of(k, c))).data();
    for (int party = 0; party < cfg.parties(); party++) {
      List<long[]> o = res.output(party);
      for (int i = 0; i < n; i++) {
        assertEquals(x[i] * y[i], o.get(0)[i], "mul at " + i);
        assertEquals(x[i] < y[i] ? 1 : 0, o.get(1)[i], "less at " + i);
        assertEquals(x[i] == y[i] ? 1 : 0, o.get(2)[i], "equal at " + i);
        assertEquals(Math.min(x[i], y[i]), o.get(3)[i], "select at " + i);
        assertEquals(x[i] & y[i], o.get(4)[i], "and via a2b/b2a at " + i);
        assertTrue(Math.abs(o.get(5)[i] - (small[i] >> 18)) <= 1, "trunc at " + i);
        assertEquals(7 * x[i] - 3, o.get(7)[i], "public ops at " + i);
      }
      assertArrayEquals(mm, o.get(6), "matmul");
      if (party == cfg.parties() - 1) assertArrayEquals(x, o.get(8), "revealTo the last party");
      else assertNull(o.get(8), "revealTo leaves the other parties with nothing");
    }
  }

  /** Everything a party's counters say, except time. */
  private record Counted(List<String> kernels, LinkStats.Snapshot link) {}

  private static Counted counted(Session s) {
    List<String> kernels = new ArrayList<>();
    for (Profile.Entry e : s.profile().entries()) {
      kernels.add(e.kernel() + " calls=" + e.calls() + " elements=" + e.elements() + " rounds=" + e.rounds() + " sent="
          + e.bytesSent() + " received=" + e.bytesReceived() + " offline=" + e.offlineBytes());
    }
    return new Counted(kernels, s.link().stats().snapshot());
  }

  static Stream<Arguments> secretConfigs() {
    return configs().skip(1);
  }

  @ParameterizedTest
  @MethodSource("secretConfigs")
  void bytesAndRoundsOverNettyEqualTheInMemorySimulators(SessionConfig cfg) {
    int n = 700;
    long[] x = values(6, n), y = values(7, n);
    Shape vec = Shape.vector(n);
    Function<Session, Counted> program = s -> {
      Protocol p = s.protocol();
      Share a = in(s, 0, x, vec), b = in(s, 1, y, vec);
      p.reveal(p.mul(p.lessThan(a, b), p.trunc(p.mul(a, b), 18)));
      p.revealTo(p.matmul(in(s, 0, x, Shape.of(35, 20)), in(s, 1, y, Shape.of(20, 35))), 0);
      return counted(s);
    };
    var netty = assertTimeoutPreemptively(BOUND, () -> NettyLoopback.run(cfg, Duration.ZERO, program));
    var memory = Simulator.run(cfg, program);
    assertEquals(memory.outputs(), netty.outputs());
  }

  @Test
  void aPartysOwnErrorIsRethrownAndItsPeersStopAtOnce() {
    SessionConfig cfg = SessionConfig.aby3().withTimeout(Duration.ofSeconds(60));
    long t0 = System.nanoTime();
    IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
        IllegalStateException.class, () -> NettyLoopback.run(cfg, Duration.ZERO, s -> {
          Share a = in(s, 0, values(8, 100), Shape.vector(100));
          if (s.self() == 1) throw new IllegalStateException("party 1 gives up");
          return s.protocol().reveal(s.protocol().mul(a, a)); // the others wait for party 1 here
        })));
    assertEquals("party 1 gives up", e.getMessage());
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms < 20_000, "peers waited " + ms + " ms, as if for the 60 s timeout");
  }

  @Test
  void addedLatencyIsPaidOnEveryRound() {
    Duration latency = Duration.ofMillis(25);
    long t0 = System.nanoTime();
    var res = assertTimeoutPreemptively(BOUND, () -> NettyLoopback.run(SessionConfig.aby3().withTimeout(TIMEOUT),
        latency, s -> {
          Share a = in(s, 0, values(9, 100), Shape.vector(100));
          s.protocol().reveal(s.protocol().mul(a, a));
          return s.link().stats().depth();
        }));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    int depth = res.outputs().stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertTrue(depth >= 2, "mul and reveal take at least two rounds, depth " + depth);
    assertTrue(ms >= depth * latency.toMillis(), depth + " rounds of " + latency.toMillis() + " ms took " + ms + " ms");
  }

  @Test
  void runLeavesNoEventLoopOrPartyThreadsBehind() throws InterruptedException {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    SessionConfig cfg = SessionConfig.semi2k(2).withDealer(DealerMode.THIRD_PARTY).withTimeout(TIMEOUT);
    var res = assertTimeoutPreemptively(BOUND, () -> NettyLoopback.run(cfg, Duration.ZERO,
        s -> s.protocol().reveal(s.protocol().mul(in(s, 0, values(12, 64), Shape.vector(64)),
            in(s, 1, values(13, 64), Shape.vector(64)))).data()));
    assertEquals(values(12, 64)[20] * values(13, 64)[20], res.output(1)[20]);
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (before.contains(t)) continue;
      if (t.getName().startsWith("spu-netty-party-") || t.getName().startsWith("spu-loopback-endpoint")) {
        t.join(5000);
        assertFalse(t.isAlive(), "left running: " + t.getName());
      }
    }
  }

  @Test
  void aby3OverMutualTlsMatchesPlaintext(@TempDir Path dir) {
    TestPki ca = TestPki.create(dir, "loopback-ca");
    List<NettyOptions> options = new ArrayList<>();
    for (int e = 0; e < 3; e++) options.add(NettyOptions.plain().withTls(ca.issue("party-" + e)));
    long[] x = values(10, 500), y = values(11, 500);
    Shape vec = Shape.vector(500);
    var res = assertTimeoutPreemptively(BOUND, () -> NettyLoopback.run(SessionConfig.aby3().withTimeout(TIMEOUT),
        options::get, s -> s.protocol().reveal(s.protocol().mul(in(s, 0, x, vec), in(s, 1, y, vec))).data()));
    for (int i = 0; i < 500; i++) assertEquals(x[i] * y[i], res.output(2)[i]);
  }
}

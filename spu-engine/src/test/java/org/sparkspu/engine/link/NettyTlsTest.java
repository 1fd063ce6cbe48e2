package org.sparkspu.engine.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS: certificates signed by the session's CA and issued to party-<id> link; others are refused. */
class NettyTlsTest {
  private static final Duration LONG = Duration.ofSeconds(20);
  private static final Duration BOUND = Duration.ofSeconds(10);
  @TempDir static Path dir;
  static TestPki ca;
  static TestPki rogue;

  @BeforeAll
  static void pki() {
    ca = TestPki.create(dir, "session-ca");
    rogue = TestPki.create(dir, "rogue-ca");
  }

  private static NettyOptions tls(NettyOptions.Tls t) {
    return NettyOptions.plain().withTls(t);
  }

  /** Connects two endpoints with the given TLS settings; both futures, failed or not. */
  private static List<CompletableFuture<NettyLink>> connect(IntFunction<NettyOptions.Tls> tls) {
    return LoopbackLinks.connectAll(2, LONG, e -> tls(tls.apply(e)), e -> "tls-session");
  }

  private static Throwable failure(CompletableFuture<NettyLink> f) {
    return assertThrows(Exception.class, f::join).getCause();
  }

  @Test
  void partiesWithCertificatesOfTheSessionCaNamingThemLinkAndExchange() {
    assertTimeoutPreemptively(BOUND, () -> {
      List<CompletableFuture<NettyLink>> f = LoopbackLinks.connectAll(3, LONG,
          e -> tls(ca.issue("party-" + e)), e -> "tls-session");
      try (LoopbackLinks.Links l = new LoopbackLinks.Links(List.of(f.get(0).join(), f.get(1).join(), f.get(2).join()))) {
        long[] x = new Random(1).longs(1 << 16).toArray();
        l.get(0).send(2, "x", x);
        l.get(2).send(1, "x", l.get(2).recv(0, "x"));
        assertArrayEquals(x, l.get(1).recv(2, "x"));
      }
    });
  }

  @Test
  void certificateFromAnUnknownCaIsRefusedByBothSides() {
    assertTimeoutPreemptively(BOUND, () -> {
      List<CompletableFuture<NettyLink>> f = connect(e -> e == 0
          ? rogue.issue("party-0", ca.caCertificate()) // trusts the session CA, but its own CA is unknown to party 1
          : ca.issue("party-1"));
      Throwable dialler = failure(f.get(0)), listener = failure(f.get(1));
      assertTrue(listener instanceof LinkException, String.valueOf(listener));
      assertTrue(listener.getMessage().startsWith("party 1 rejected a connection from 127.0.0.1:"), listener.getMessage());
      assertTrue(listener.getMessage().contains("TLS failed"), listener.getMessage());
      assertTrue(dialler instanceof LinkException, String.valueOf(dialler));
      assertTrue(dialler.getMessage().startsWith("party 0 could not link to party 1 (127.0.0.1:"), dialler.getMessage());
      assertTrue(dialler.getMessage().contains("TLS failed") || dialler.getMessage().contains("during the handshake"),
          dialler.getMessage());
    });
  }

  @Test
  void certificateIssuedToAnotherPartyIsRefusedByTheListener() {
    assertTimeoutPreemptively(BOUND, () -> {
      List<CompletableFuture<NettyLink>> f = connect(e -> ca.issue(e == 0 ? "party-2" : "party-1"));
      String why = "the TLS certificate presented as party 0 is issued to 'party-2', not 'party-0'";
      Throwable dialler = failure(f.get(0)), listener = failure(f.get(1));
      assertTrue(listener.getMessage().startsWith("party 1 rejected a connection from 127.0.0.1:"), listener.getMessage());
      assertTrue(listener.getMessage().contains("claiming to be party 0: " + why), listener.getMessage());
      assertTrue(dialler.getMessage().startsWith("party 0 could not link to party 1 (127.0.0.1:"), dialler.getMessage());
      assertTrue(dialler.getMessage().contains("party 1 rejected the connection: " + why), dialler.getMessage());
    });
  }

  @Test
  void listenerWithAnotherPartysCertificateIsRefusedByTheDialler() {
    assertTimeoutPreemptively(BOUND, () -> {
      List<CompletableFuture<NettyLink>> f = connect(e -> ca.issue("party-0"));
      String why = "the TLS certificate presented as party 1 is issued to 'party-0', not 'party-1'";
      Throwable dialler = failure(f.get(0)), listener = failure(f.get(1));
      assertTrue(dialler.getMessage().startsWith("party 0 could not link to party 1 (127.0.0.1:"), dialler.getMessage());
      assertTrue(dialler.getMessage().contains("party 0 rejected it: " + why), dialler.getMessage());
      assertTrue(listener.getMessage().startsWith("party 1 could not link to party 0 (127.0.0.1:"), listener.getMessage());
      assertTrue(listener.getMessage().contains("party 0 rejected the connection: " + why), listener.getMessage());
    });
  }

  @Test
  void missingKeyFileFailsWithThePathsInTheMessage() {
    NettyOptions.Tls good = ca.issue("party-0");
    NettyOptions.Tls broken = new NettyOptions.Tls(good.certificateChain(), dir.resolve("missing.key"),
        good.trustedCertificates());
    LinkException e = assertThrows(LinkException.class, () -> NettyNetwork.bind(0, 2, "s",
        new java.net.InetSocketAddress(LoopbackLinks.LOOPBACK, 0), LONG, tls(broken)));
    assertTrue(e.getMessage().startsWith("party 0 cannot load its TLS files"), e.getMessage());
    assertTrue(e.getMessage().contains("missing.key"), e.getMessage());
  }
}

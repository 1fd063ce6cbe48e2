package org.sparkspu.engine.psi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import org.sparkspu.engine.link.InMemoryNetwork;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.link.NettyNetwork;
import org.sparkspu.engine.link.NettyOptions;

/**
 * Test harness: runs one function per endpoint on its own thread, over in-memory or Netty loopback
 * links. An endpoint that fails closes its link, so its peers fail at once; every outcome (value or
 * exception) is returned so tests can check both sides of a refusal.
 */
final class Parties {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  interface Program<T> {
    T run(Link link) throws Exception;
  }

  /** Outcome of one endpoint: its value or its exception. */
  record Outcome<T>(T value, Throwable error) {
    T get() {
      if (error != null) throw new AssertionError("endpoint failed: " + error, error);
      return value;
    }
  }

  private Parties() {}

  static <T> List<Outcome<T>> inMemory(int endpoints, Program<T> program) {
    InMemoryNetwork net = new InMemoryNetwork(endpoints, TIMEOUT);
    return runAll(endpoints, net::link, program);
  }

  static <T> List<Outcome<T>> netty(int endpoints, Program<T> program) {
    InetAddress loopback;
    try {
      loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    String sid = "psi-test-" + UUID.randomUUID();
    List<NettyNetwork.Listener> listeners = new ArrayList<>();
    try {
      for (int e = 0; e < endpoints; e++) {
        listeners.add(NettyNetwork.bind(e, endpoints, sid, new InetSocketAddress(loopback, 0), TIMEOUT,
            NettyOptions.plain()));
      }
      List<InetSocketAddress> addresses = new ArrayList<>();
      for (NettyNetwork.Listener l : listeners) addresses.add(new InetSocketAddress(loopback, l.port()));
      return runAll(endpoints, e -> listeners.get(e).connect(addresses), program);
    } finally {
      listeners.forEach(NettyNetwork.Listener::close);
    }
  }

  static <T> List<Outcome<T>> runAll(int endpoints, IntFunction<Link> connect, Program<T> program) {
    List<CompletableFuture<T>> futures = new ArrayList<>();
    for (int e = 0; e < endpoints; e++) {
      int endpoint = e;
      CompletableFuture<T> f = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try (Link link = connect.apply(endpoint)) {
          f.complete(program.run(link));
        } catch (Throwable ex) {
          f.completeExceptionally(ex);
        }
      }, "psi-test-party-" + e);
      t.setDaemon(true);
      t.start();
      futures.add(f);
    }
    List<Outcome<T>> out = new ArrayList<>();
    for (CompletableFuture<T> f : futures) {
      try {
        out.add(new Outcome<>(f.get(), null));
      } catch (ExecutionException e) {
        out.add(new Outcome<>(null, e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return out;
  }
}

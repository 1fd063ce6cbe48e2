package org.sparkspu.engine.link;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/** Test helper: Netty endpoints on 127.0.0.1 ports chosen by the OS, connected in parallel. */
final class LoopbackLinks {
  /** 127.0.0.1 without a host name, so that messages show the address literally. */
  static final InetAddress LOOPBACK = loopback();

  private LoopbackLinks() {}

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Binds every endpoint, then connects all of them at once; one future per endpoint. */
  static List<CompletableFuture<NettyLink>> connectAll(int endpoints, Duration timeout,
      IntFunction<NettyOptions> options, IntFunction<String> sessionIds) {
    List<NettyNetwork.Listener> listeners = new ArrayList<>();
    for (int e = 0; e < endpoints; e++) {
      listeners.add(NettyNetwork.bind(e, endpoints, sessionIds.apply(e), new InetSocketAddress(LOOPBACK, 0), timeout,
          options.apply(e)));
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (NettyNetwork.Listener l : listeners) addresses.add(new InetSocketAddress(LOOPBACK, l.port()));
    List<CompletableFuture<NettyLink>> links = new ArrayList<>();
    for (NettyNetwork.Listener l : listeners) {
      CompletableFuture<NettyLink> f = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          f.complete(l.connect(addresses));
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      }, "test-connect");
      t.setDaemon(true);
      t.start();
      links.add(f);
    }
    return links;
  }

  /** Connected links of one session; the caller closes them. */
  static Links open(int endpoints, Duration timeout, NettyOptions options) {
    String sid = "test-" + UUID.randomUUID();
    List<NettyLink> out = new ArrayList<>();
    try {
      for (CompletableFuture<NettyLink> f : connectAll(endpoints, timeout, e -> options, e -> sid)) out.add(f.join());
      return new Links(out);
    } catch (RuntimeException e) {
      out.forEach(NettyLink::close);
      throw e;
    }
  }

  /** A port nothing listens on (bound by the OS, then released). */
  static int deadPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
      return s.getLocalPort();
    }
  }

  record Links(List<NettyLink> all) implements AutoCloseable {
    NettyLink get(int e) {
      return all.get(e);
    }

    @Override
    public void close() {
      all.forEach(NettyLink::close);
    }
  }
}

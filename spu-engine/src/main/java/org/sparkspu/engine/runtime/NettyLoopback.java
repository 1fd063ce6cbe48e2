package org.sparkspu.engine.runtime;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.sparkspu.engine.link.NettyNetwork;
import org.sparkspu.engine.link.NettyOptions;

/**
 * Runs all endpoints of a session (the parties and, for semi2k in third-party mode, the dealer)
 * on threads of this JVM, linked by real Netty TCP connections on 127.0.0.1 ports chosen by the
 * OS. Same contract as {@link Simulator#run}: the outputs and profiles in party order; when an
 * endpoint fails, every link is closed so that its peers fail at once instead of waiting for the
 * timeout, and the first real cause is rethrown. Use it to measure the engine over a real network
 * stack (optionally with added latency per message) or to test the Netty link end to end.
 */
public final class NettyLoopback {
  private NettyLoopback() {}

  /** Runs {@code program} on every party over plain loopback TCP, each message delayed by {@code addedLatency}. */
  public static <T> Simulator.Result<T> run(SessionConfig cfg, Duration addedLatency, Function<Session, T> program) {
    NettyOptions options = NettyOptions.plain().withAddedLatency(addedLatency);
    return run(cfg, endpoint -> options, program);
  }

  /**
   * As {@link #run(SessionConfig, Duration, Function)}, with each endpoint's link options (e.g. its
   * own TLS certificate).
   */
  public static <T> Simulator.Result<T> run(SessionConfig cfg, IntFunction<NettyOptions> options,
      Function<Session, T> program) {
    int endpoints = cfg.endpoints();
    String sessionId = "loopback-" + UUID.randomUUID();
    InetAddress loopback = loopback();
    List<NettyNetwork.Listener> listeners = new ArrayList<>();
    try {
      for (int e = 0; e < endpoints; e++) {
        listeners.add(NettyNetwork.bind(e, endpoints, sessionId, new InetSocketAddress(loopback, 0), cfg.timeout(),
            options.apply(e)));
      }
      List<InetSocketAddress> addresses = new ArrayList<>();
      for (NettyNetwork.Listener l : listeners) addresses.add(new InetSocketAddress(loopback, l.port()));
      // Closing every listener (and so every link) makes the peers fail now, not after the timeout.
      Runnable abort = () -> listeners.forEach(NettyNetwork.Listener::close);
      return EndpointThreads.run(cfg, "spu-loopback-endpoint", e -> listeners.get(e).connect(addresses), abort,
          program);
    } finally {
      listeners.forEach(NettyNetwork.Listener::close);
    }
  }

  /** 127.0.0.1 without a host name, so that error messages show the address literally. */
  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}

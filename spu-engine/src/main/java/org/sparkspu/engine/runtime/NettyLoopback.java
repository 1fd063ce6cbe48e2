package org.sparkspu.engine.runtime;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.sparkspu.engine.link.LinkException;
import org.sparkspu.engine.link.NettyLink;
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
    ExecutorService pool = Executors.newFixedThreadPool(endpoints, r -> {
      Thread t = new Thread(r, "spu-loopback-endpoint");
      t.setDaemon(true);
      return t;
    });
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    try {
      for (int e = 0; e < endpoints; e++) {
        listeners.add(NettyNetwork.bind(e, endpoints, sessionId, new InetSocketAddress(loopback, 0), cfg.timeout(),
            options.apply(e)));
      }
      List<InetSocketAddress> addresses = new ArrayList<>();
      for (NettyNetwork.Listener l : listeners) addresses.add(new InetSocketAddress(loopback, l.port()));

      Runnable abort = () -> {
        for (NettyNetwork.Listener l : listeners) l.close();
      };
      List<Session> sessions = new ArrayList<>();
      for (int p = 0; p < cfg.parties(); p++) sessions.add(null);
      List<Future<T>> futures = new ArrayList<>();
      for (int e = 0; e < endpoints; e++) {
        final int endpoint = e;
        Future<T> f = pool.submit(() -> {
          Thread.currentThread().setName("spu-loopback-endpoint-" + endpoint);
          try {
            NettyLink link = listeners.get(endpoint).connect(addresses);
            if (endpoint >= cfg.parties()) {
              try (link) {
                Session.serveDealer(cfg, link);
              }
              return null;
            }
            try (Session s = new Session(cfg, link)) {
              synchronized (sessions) {
                sessions.set(endpoint, s);
              }
              return program.apply(s);
            }
          } catch (Throwable t) {
            firstFailure.compareAndSet(null, t);
            abort.run(); // the peers fail now, not after the timeout
            throw t;
          }
        });
        futures.add(f);
      }
      List<T> outputs = new ArrayList<>();
      List<Throwable> causes = new ArrayList<>();
      for (int e = 0; e < endpoints; e++) {
        try {
          T out = futures.get(e).get();
          if (e < cfg.parties()) outputs.add(out);
        } catch (ExecutionException ex) {
          if (e < cfg.parties()) outputs.add(null);
          causes.add(ex.getCause());
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          abort.run();
          throw new IllegalStateException("interrupted while waiting for the loopback parties", ex);
        }
      }
      Throwable cause = rootCause(firstFailure.get(), causes);
      if (cause instanceof RuntimeException re) throw re;
      if (cause instanceof Error err) throw err;
      if (cause != null) throw new IllegalStateException(cause);
      List<Profile> profiles = new ArrayList<>();
      for (Session s : sessions) profiles.add(s.profile());
      return new Simulator.Result<>(outputs, profiles);
    } finally {
      for (NettyNetwork.Listener l : listeners) l.close();
      pool.shutdownNow();
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

  /**
   * A party's own failure explains more than its peers' "peer closed" echoes of it: the first
   * failure if it is not a link error, else the first non-link error of any endpoint, else the
   * first failure (the link problem that started it).
   */
  private static Throwable rootCause(Throwable first, List<Throwable> causes) {
    if (causes.isEmpty()) return null;
    if (first != null && !(first instanceof LinkException)) return first;
    for (Throwable t : causes) if (!(t instanceof LinkException)) return t;
    return first != null ? first : causes.get(0);
  }
}

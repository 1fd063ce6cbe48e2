package org.sparkspu.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.link.LinkException;

/**
 * Runs every endpoint of a session (the parties, and a semi2k third-party dealer) on a thread of
 * this JVM: the shared mechanism of {@link Simulator} (in-memory links) and {@link NettyLoopback}
 * (real links). An endpoint that fails closes its link and calls {@code abort}, so its peers fail
 * at once rather than after the timeout; the most telling failure is rethrown.
 */
final class EndpointThreads {
  private EndpointThreads() {}

  /**
   * @param connect opens endpoint e's link (called on that endpoint's thread)
   * @param abort makes the other endpoints fail fast once one has failed (may do nothing when
   *     closing the failed endpoint's link already does that)
   */
  static <T> Simulator.Result<T> run(SessionConfig cfg, String threadName, IntFunction<Link> connect,
      Runnable abort, Function<Session, T> program) {
    int endpoints = cfg.endpoints();
    ExecutorService pool = Executors.newFixedThreadPool(endpoints, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    List<Session> sessions = new ArrayList<>();
    for (int p = 0; p < cfg.parties(); p++) sessions.add(null);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int e = 0; e < endpoints; e++) {
        final int endpoint = e;
        futures.add(pool.submit(() -> {
          Thread.currentThread().setName(threadName + "-" + endpoint);
          try {
            return runEndpoint(cfg, endpoint, connect.apply(endpoint), sessions, program);
          } catch (Throwable t) {
            firstFailure.compareAndSet(null, t);
            abort.run();
            throw t;
          }
        }));
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
          throw new IllegalStateException("interrupted while waiting for the parties", ex);
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
      pool.shutdownNow();
    }
  }

  /** One endpoint: the dealer serves until the parties finish; a party runs the program. */
  private static <T> T runEndpoint(SessionConfig cfg, int endpoint, Link link, List<Session> sessions,
      Function<Session, T> program) {
    if (endpoint >= cfg.parties()) {
      try (link) {
        Session.serveDealer(cfg, link);
      }
      return null;
    }
    Session s;
    try {
      s = new Session(cfg, link);
    } catch (Throwable t) {
      link.close();
      throw t;
    }
    try (s) {
      synchronized (sessions) {
        sessions.set(endpoint, s);
      }
      return program.apply(s);
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

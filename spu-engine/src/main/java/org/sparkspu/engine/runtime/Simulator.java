package org.sparkspu.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.sparkspu.engine.link.InMemoryNetwork;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.link.LinkException;

/**
 * Runs all parties of a session on threads of this JVM over in-memory links. The protocol code is
 * the same as over Netty; only the link differs. When one party fails its link is closed, so its
 * peers fail at once with "peer closed" instead of waiting for the timeout, and the first real
 * cause is rethrown.
 */
public final class Simulator {
  private Simulator() {}

  /** Outputs of every party, in party order, and each party's profile. */
  public record Result<T>(List<T> outputs, List<Profile> profiles) {
    public T output(int party) {
      return outputs.get(party);
    }

    /** All parties' profiles combined (bytes summed, rounds and time the maximum). */
    public Profile profile() {
      return Profile.merge(profiles);
    }
  }

  public static <T> Result<T> run(SessionConfig config, Function<Session, T> program) {
    InMemoryNetwork net = new InMemoryNetwork(config.endpoints(), config.timeout());
    ExecutorService pool = Executors.newFixedThreadPool(config.endpoints(), r -> {
      Thread t = new Thread(r, "spu-sim-party");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<T>> futures = new ArrayList<>();
      List<Session> sessions = new ArrayList<>();
      for (int p = 0; p < config.parties(); p++) sessions.add(null);
      for (int p = 0; p < config.parties(); p++) {
        final int party = p;
        futures.add(pool.submit(() -> {
          Thread.currentThread().setName("spu-sim-party-" + party);
          Link link = net.link(party);
          Session s = null;
          try {
            s = new Session(config, link);
            synchronized (sessions) {
              sessions.set(party, s);
            }
            return program.apply(s);
          } finally {
            if (s != null) s.close();
            else link.close();
          }
        }));
      }
      Future<?> dealer = null;
      if (config.hasDealerEndpoint()) {
        dealer = pool.submit(() -> {
          Link link = net.link(config.parties());
          try {
            Session.serveDealer(config, link);
          } finally {
            link.close();
          }
          return null;
        });
      }
      List<T> outputs = new ArrayList<>();
      Throwable firstCause = null;
      for (Future<T> f : futures) {
        try {
          outputs.add(f.get());
        } catch (ExecutionException e) {
          outputs.add(null);
          firstCause = preferRootCause(firstCause, e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the simulated parties", e);
        }
      }
      if (dealer != null) {
        try {
          dealer.get();
        } catch (ExecutionException e) {
          firstCause = preferRootCause(firstCause, e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (firstCause instanceof RuntimeException re) throw re;
      if (firstCause instanceof Error err) throw err;
      if (firstCause != null) throw new IllegalStateException(firstCause);
      List<Profile> profiles = new ArrayList<>();
      for (Session s : sessions) profiles.add(s.profile());
      return new Result<>(outputs, profiles);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A party's own failure explains more than its peers' "peer closed" echoes of it. */
  private static Throwable preferRootCause(Throwable current, Throwable candidate) {
    if (current == null) return candidate;
    if (current instanceof LinkException && !(candidate instanceof LinkException)) return candidate;
    return current;
  }
}

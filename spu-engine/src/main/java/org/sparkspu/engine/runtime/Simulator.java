package org.sparkspu.engine.runtime;

import java.util.List;
import java.util.function.Function;
import org.sparkspu.engine.link.InMemoryNetwork;

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
    // A failed party closes its link, which already fails its peers: nothing else to abort.
    return EndpointThreads.run(config, "spu-sim-party", net::link, () -> {}, program);
  }
}

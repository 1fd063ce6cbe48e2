package org.sparkspu.engine.runtime;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.sparkspu.engine.link.NettyLink;
import org.sparkspu.engine.link.NettyNetwork;
import org.sparkspu.engine.link.NettyOptions;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.ProtocolContext.DealerMode;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Runs one endpoint of a session as its own process, over Netty links, and checks the engine
 * end to end: party 0 inputs x, party 1 inputs y (both drawn from fixed seeds, so every party
 * knows the plaintext), the parties compute x*y, x&lt;y and reveal x and y, and each compares the
 * opened results with plaintext. One result line goes to stdout; exit code 0 on success, 1 with
 * the error on stderr on failure (a peer that died, never came up or sent garbage, or a wrong
 * result), 2 for bad arguments.
 *
 * <pre>
 * java -cp ... org.sparkspu.engine.runtime.PartyMain --party 1 \
 *     --peers 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 --protocol aby3 --session job-42 \
 *     [--dealer first-party|third-party] [--timeout-ms 30000] [--check mul|less|reveal|all] \
 *     [--n 1000] [--repeat 1] [--latency-ms 0] [--tls-cert C.pem --tls-key K.pem --tls-trust CA.pem]
 * </pre>
 *
 * With {@code --dealer third-party} (semi2k) the last peer address is the dealer endpoint, and
 * running PartyMain with that endpoint's index serves the dealer. Before computing, each endpoint
 * prints "party N connected ..." once its links are up.
 */
public final class PartyMain {
  static final String USAGE = "usage: PartyMain --party N --peers host:port,... --protocol ref2k|semi2k|aby3 --session ID"
      + " [--dealer first-party|third-party] [--timeout-ms MS] [--check mul|less|reveal|all] [--n N] [--repeat K]"
      + " [--latency-ms MS] [--tls-cert PEM --tls-key PEM --tls-trust PEM]";

  private PartyMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The parsed command line. */
  record Args(int endpoint, List<InetSocketAddress> peers, SessionConfig config, String sessionId, Set<String> checks,
      int n, int repeat, NettyOptions options) {}

  /** Runs the endpoint and returns the process exit code. */
  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args a;
    try {
      a = parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("PartyMain: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    String who = a.endpoint() >= a.config().parties() ? "party " + a.endpoint() + " (dealer)" : "party " + a.endpoint();
    try {
      NettyLink link = NettyNetwork.open(a.endpoint(), a.peers(), a.sessionId(), a.config().timeout(), a.options());
      out.println(who + " connected to " + (a.peers().size() - 1) + " peers (session " + a.sessionId() + ", "
          + link.transport() + (a.options().tlsEnabled() ? ", mutual TLS" : "") + ")");
      out.flush();
      if (a.endpoint() >= a.config().parties()) {
        try (link) {
          Session.serveDealer(a.config(), link);
        }
        out.println(who + " ok: served session " + a.sessionId());
        return 0;
      }
      try (Session s = new Session(a.config(), link)) {
        String done = check(s, a.checks(), a.n(), a.repeat());
        Profile.Entry total = s.profile().total();
        out.println(who + " ok: " + a.config().protocol() + " session " + a.sessionId() + " checked " + done + " on "
            + a.n() + " elements x" + a.repeat() + " against plaintext (rounds " + total.rounds() + ", bytes sent "
            + total.bytesSent() + ")");
      }
      return 0;
    } catch (RuntimeException e) {
      err.println(who + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }

  /** The check program: computes the requested kernels on shares and compares with plaintext. */
  static String check(Session s, Set<String> checks, int n, int repeat) {
    long[] x = inputs(1, n), y = inputs(2, n);
    Shape shape = Shape.vector(n);
    Protocol p = s.protocol();
    int yOwner = 1 % s.parties();
    for (int r = 0; r < repeat; r++) {
      Share a = p.input(0, s.self() == 0 ? RingTensor.wrap(x, shape) : null, shape);
      Share b = p.input(yOwner, s.self() == yOwner ? RingTensor.wrap(y, shape) : null, shape);
      if (checks.contains("mul")) {
        long[] got = p.reveal(p.mul(a, b)).data();
        for (int i = 0; i < n; i++) if (got[i] != x[i] * y[i]) throw mismatch("mul", i);
      }
      if (checks.contains("less")) {
        long[] got = p.reveal(p.lessThan(a, b)).data();
        for (int i = 0; i < n; i++) if (got[i] != (x[i] < y[i] ? 1 : 0)) throw mismatch("less", i);
      }
      if (checks.contains("reveal")) {
        long[] gotX = p.reveal(a).data(), gotY = p.reveal(b).data();
        for (int i = 0; i < n; i++) if (gotX[i] != x[i] || gotY[i] != y[i]) throw mismatch("reveal", i);
      }
    }
    return String.join(", ", checks);
  }

  /** Deterministic inputs every party can recompute: |v| &lt; 2^62, so x - y never wraps. */
  static long[] inputs(long seed, int n) {
    Random r = new Random(seed);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = r.nextLong() >> 2;
    return v;
  }

  private static IllegalStateException mismatch(String check, int element) {
    return new IllegalStateException("check " + check + " failed: element " + element + " differs from plaintext");
  }

  static Args parse(String[] argv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String k = argv[i];
      if (!k.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + k + "'");
      if (i + 1 >= argv.length) throw new IllegalArgumentException(k + " needs a value");
      if (m.put(k.substring(2), argv[++i]) != null) throw new IllegalArgumentException(k + " given twice");
    }
    for (String k : m.keySet()) {
      if (!Set.of("party", "peers", "protocol", "dealer", "session", "timeout-ms", "check", "n", "repeat",
          "latency-ms", "tls-cert", "tls-key", "tls-trust").contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k);
      }
    }
    List<InetSocketAddress> peers = NettyNetwork.parseEndpoints(required(m, "peers"));
    String protocol = required(m, "protocol");
    DealerMode dealer = switch (m.getOrDefault("dealer", "first-party")) {
      case "first-party" -> DealerMode.FIRST_PARTY;
      case "third-party" -> DealerMode.THIRD_PARTY;
      default -> throw new IllegalArgumentException("--dealer is first-party or third-party");
    };
    boolean dealerEndpoint = protocol.equals("semi2k") && dealer == DealerMode.THIRD_PARTY;
    int parties = peers.size() - (dealerEndpoint ? 1 : 0);
    SessionConfig cfg = new SessionConfig(protocol, parties, SessionConfig.DEFAULT_FRACTION_BITS,
        Duration.ofMillis(number(m, "timeout-ms", 30_000)), dealer);
    int endpoint = (int) number(m, "party", -1);
    if (endpoint < 0 || endpoint >= peers.size()) {
      throw new IllegalArgumentException("--party must be an index into --peers (0.." + (peers.size() - 1) + ")");
    }
    Set<String> checks = new LinkedHashSet<>();
    for (String c : m.getOrDefault("check", "all").split(",")) {
      switch (c.trim()) {
        case "all" -> checks.addAll(List.of("mul", "less", "reveal"));
        case "mul", "less", "reveal" -> checks.add(c.trim());
        default -> throw new IllegalArgumentException("--check is mul, less, reveal or all, not '" + c + "'");
      }
    }
    int n = (int) number(m, "n", 1000);
    int repeat = (int) number(m, "repeat", 1);
    if (n < 1 || repeat < 1) throw new IllegalArgumentException("--n and --repeat must be positive");
    NettyOptions options = NettyOptions.plain().withAddedLatency(Duration.ofMillis(number(m, "latency-ms", 0)));
    if (m.containsKey("tls-cert") || m.containsKey("tls-key") || m.containsKey("tls-trust")) {
      options = options.withTls(new NettyOptions.Tls(Path.of(required(m, "tls-cert")), Path.of(required(m, "tls-key")),
          Path.of(required(m, "tls-trust"))));
    }
    return new Args(endpoint, peers, cfg, required(m, "session"), checks, n, repeat, options);
  }

  private static String required(Map<String, String> m, String k) {
    String v = m.get(k);
    if (v == null) throw new IllegalArgumentException("--" + k + " is required");
    return v;
  }

  private static long number(Map<String, String> m, String k, long dflt) {
    String v = m.get(k);
    if (v == null) {
      if (dflt < 0) throw new IllegalArgumentException("--" + k + " is required");
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + k + " must be a number, not '" + v + "'");
    }
  }
}

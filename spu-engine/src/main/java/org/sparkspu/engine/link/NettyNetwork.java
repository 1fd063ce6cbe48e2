package org.sparkspu.engine.link;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@link NettyLink}s: real TCP (optionally mutual TLS) links between the endpoints of one
 * session, given as host:port addresses in endpoint order (index = endpoint id; with a semi2k
 * third-party dealer, the dealer is the last).
 *
 * <p>{@link #open} listens on this endpoint's own address and connects in one call.
 * {@link #bind} splits the two steps, for a listening address other than the one peers dial
 * (a wildcard or NAT) or for port 0, where peers learn the chosen port before anyone connects.
 */
public final class NettyNetwork {
  private NettyNetwork() {}

  /**
   * Listens on {@code endpoints.get(self)}, links to every other endpoint and returns when all are
   * linked. See {@link NettyLink} for the connection rule, the handshake and the errors.
   *
   * @param sessionId binds every connection to one job; peers with another session id are rejected
   * @param timeout longest wait for the peers to come up, and then for any one message
   */
  public static NettyLink open(int self, List<InetSocketAddress> endpoints, String sessionId, Duration timeout,
      NettyOptions options) {
    return bind(self, endpoints.size(), sessionId, endpoints.get(self), timeout, options).connect(endpoints);
  }

  /** Binds the listening socket only; {@link Listener#connect} links to the peers. */
  public static Listener bind(int self, int endpoints, String sessionId, InetSocketAddress listenOn, Duration timeout,
      NettyOptions options) {
    return new Listener(new NettyLink(self, endpoints, sessionId, listenOn, timeout, options));
  }

  /** Parses "host:port,host:port,..." (IPv6 hosts in brackets: "[::1]:7001"). */
  public static List<InetSocketAddress> parseEndpoints(String csv) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : csv.split(",")) out.add(parseEndpoint(part.trim()));
    return out;
  }

  /** Parses "host:port". */
  public static InetSocketAddress parseEndpoint(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("endpoint '" + hostPort + "' is not host:port");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("endpoint '" + hostPort + "' has no numeric port");
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException("endpoint '" + hostPort + "': port out of range");
    return new InetSocketAddress(host, port);
  }

  /** An endpoint that listens but has not linked to its peers yet. */
  public static final class Listener implements AutoCloseable {
    private final NettyLink link;

    private Listener(NettyLink link) {
      this.link = link;
    }

    /** The port actually bound (the chosen one when binding port 0). */
    public int port() {
      return link.localPort();
    }

    /** Links to the peers; on failure the listener is closed and the LinkException thrown. */
    public NettyLink connect(List<InetSocketAddress> endpoints) {
      return link.connect(endpoints);
    }

    /** Stops listening and releases the event loops (also makes a concurrent connect fail). */
    @Override
    public void close() {
      link.close();
    }
  }
}

package org.sparkspu.spark.runtime;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sparkspu.engine.link.LinkException;
import org.sparkspu.engine.link.NettyNetwork;
import org.sparkspu.engine.link.NettyOptions;

/**
 * The embedded engine endpoint of one executor JVM: where the MPC engines of the sessions that run
 * on this executor listen. It knows the host address peers dial and the ports it may use
 * (spark.spu.endpoint.ports: "0", the default, lets the OS choose a free port per session; "7100-7199"
 * confines sessions to a range, e.g. for a firewall), and hands out one Netty listener per session
 * (the engine's links are one listening socket per session and party). It keeps the listeners it
 * handed out, so that {@link #close()} at executor shutdown also ends the sessions still running
 * here; their peers then fail at once with "peer closed" instead of waiting for the timeout.
 *
 * <p>With the plugin ({@code spark.plugins=org.sparkspu.spark.SpuPlugin}) the executor plugin starts
 * one per executor, {@linkplain #install installs} it and registers it with the driver's
 * {@link PartyTable}. Without the plugin, {@link #forTask} makes a plain one for the task's host.
 */
public final class EndpointService implements AutoCloseable {
  /** spark.spu.endpoint.ports: "0" (OS-chosen) or "FROM-TO". */
  public static final String PORTS_KEY = "spark.spu.endpoint.ports";

  private static volatile EndpointService installed;

  private final String executorId;
  private final String host;
  private final int portFrom;
  private final int portTo;
  private final NettyOptions options;
  private final AtomicInteger nextPort = new AtomicInteger();
  private final Set<NettyNetwork.Listener> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile int slot = -1;
  private volatile Rendezvous rendezvous;

  /**
   * @param executorId the executor this service belongs to ("driver" for a local session)
   * @param host the address peers dial and this service listens on
   * @param ports "0" or "FROM-TO" (see {@link #PORTS_KEY})
   */
  public EndpointService(String executorId, String host, String ports, NettyOptions options) {
    this.executorId = executorId;
    this.host = host;
    int[] range = parsePorts(ports);
    this.portFrom = range[0];
    this.portTo = range[1];
    this.options = options;
  }

  /** Parses spark.spu.endpoint.ports; throws naming the key. */
  public static int[] parsePorts(String ports) {
    String p = ports == null || ports.isBlank() ? "0" : ports.trim().toLowerCase(Locale.ROOT);
    try {
      int dash = p.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
      int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
      if (from < 0 || to > 65535 || to < from || (from == 0 && to != 0)) throw new NumberFormatException();
      return new int[] {from, to};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PORTS_KEY + " must be 0 (any free port) or a range FROM-TO within 1-65535, got '"
          + ports + "'");
    }
  }

  public String executorId() {
    return executorId;
  }

  public String host() {
    return host;
  }

  /** The configured ports as given ("0" or "FROM-TO"). */
  public String ports() {
    return portFrom == 0 ? "0" : portFrom + "-" + portTo;
  }

  /** The party slot the driver's {@link PartyTable} gave this executor, or -1 (not registered). */
  public int slot() {
    return slot;
  }

  /** Records the slot the driver answered at registration. */
  public void assignSlot(int s) {
    slot = s;
  }

  /** How party tasks on this executor exchange addresses: through the driver when the plugin set it. */
  public java.util.Optional<Rendezvous> rendezvous() {
    return java.util.Optional.ofNullable(rendezvous);
  }

  public void setRendezvous(Rendezvous r) {
    rendezvous = r;
  }

  /** Listeners handed out and not yet released. */
  public int openSessions() {
    return open.size();
  }

  /**
   * Binds the listening socket of endpoint {@code self} of session {@code sessionId} on this
   * executor's host; the caller connects it to the peers, then {@linkplain #release releases} it.
   * With a port range, tries each port of the range from a rotating start until one is free.
   */
  public NettyNetwork.Listener bind(int self, int endpoints, String sessionId, Duration timeout) {
    if (closed) throw new IllegalStateException("the spark-spu endpoint service of executor " + executorId + " is closed");
    NettyNetwork.Listener l;
    if (portFrom == 0) {
      l = NettyNetwork.bind(self, endpoints, sessionId, new InetSocketAddress(host, 0), timeout, options);
    } else {
      int span = portTo - portFrom + 1;
      int start = Math.floorMod(nextPort.getAndIncrement(), span);
      LinkException last = null;
      l = null;
      for (int i = 0; i < span && l == null; i++) {
        int port = portFrom + (start + i) % span;
        try {
          l = NettyNetwork.bind(self, endpoints, sessionId, new InetSocketAddress(host, port), timeout, options);
        } catch (LinkException e) {
          last = e; // port in use: try the next one
        }
      }
      if (l == null) {
        throw new LinkException(-1, "party " + self + ": no free port in " + PORTS_KEY + "=" + ports() + " on " + host
            + " (last: " + (last == null ? "none tried" : last.getMessage()) + ")", last);
      }
    }
    open.add(l);
    if (closed) { // closed concurrently: do not leak the socket
      release(l);
      throw new IllegalStateException("the spark-spu endpoint service of executor " + executorId + " is closed");
    }
    return l;
  }

  /** Closes a listener handed out by {@link #bind} (and so its link, if still open). */
  public void release(NettyNetwork.Listener l) {
    open.remove(l);
    l.close();
  }

  /** Stops the service: closes every listener still open, ending the sessions that use them. */
  @Override
  public void close() {
    closed = true;
    List<NettyNetwork.Listener> all = new ArrayList<>(open);
    open.clear();
    all.forEach(NettyNetwork.Listener::close);
  }

  /** Makes {@code s} this JVM's service (the executor plugin calls this at executor start). */
  public static void install(EndpointService s) {
    installed = s;
  }

  /** Removes {@code s} if it is the installed one (executor plugin shutdown). */
  public static void uninstall(EndpointService s) {
    if (installed == s) installed = null;
  }

  /** This executor's service, when the plugin started one. */
  public static Optional<EndpointService> current() {
    EndpointService s = installed;
    return s == null || s.closed ? Optional.empty() : Optional.of(s);
  }

  /**
   * The installed service, or else a plain one (OS-chosen ports, no TLS) for {@code host}: what a
   * task uses when the application runs without the plugin.
   */
  public static EndpointService forTask(String executorId, String host) {
    return current().orElseGet(() -> new EndpointService(executorId, host, "0", NettyOptions.plain()));
  }
}

package org.sparkspu.engine.link;

import java.time.Duration;

/** Tagging, depth stamping, statistics and error wording shared by every link implementation. */
public abstract class AbstractLink implements Link {
  protected final int self;
  protected final int endpoints;
  protected final Duration timeout;
  private final LinkStats stats;

  protected AbstractLink(int self, int endpoints, Duration timeout) {
    if (self < 0 || self >= endpoints) throw new IllegalArgumentException("endpoint " + self + " of " + endpoints);
    this.self = self;
    this.endpoints = endpoints;
    this.timeout = timeout;
    this.stats = new LinkStats(endpoints);
  }

  /** Delivers a message to a peer (may return before it arrives). */
  protected abstract void transmit(int to, Message message);

  /** Next message from a peer, or null after the timeout. Throws PeerClosedException if closed. */
  protected abstract Message take(int from, Duration timeout) throws InterruptedException;

  @Override
  public int self() {
    return self;
  }

  @Override
  public int endpoints() {
    return endpoints;
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  @Override
  public LinkStats stats() {
    return stats;
  }

  @Override
  public String describe(int endpoint) {
    return "party " + endpoint;
  }

  @Override
  public void send(int to, String tag, long[] payload, boolean offline) {
    checkPeer(to);
    int[] depth = stats.stampSend(to, 8L * payload.length, offline);
    transmit(to, new Message(tag, depth[0], depth[1], offline, payload, null));
  }

  @Override
  public void sendBytes(int to, String tag, byte[] payload, boolean offline) {
    checkPeer(to);
    int[] depth = stats.stampSend(to, payload.length, offline);
    transmit(to, new Message(tag, depth[0], depth[1], offline, null, payload));
  }

  @Override
  public long[] recv(int from, String tag) {
    Message m = receive(from, tag);
    if (m.longs() == null) {
      throw new ProtocolDesyncException(from, where(from) + " expected ring elements for '" + tag + "' but got bytes");
    }
    return m.longs();
  }

  @Override
  public byte[] recvBytes(int from, String tag) {
    Message m = receive(from, tag);
    if (m.bytes() == null) {
      throw new ProtocolDesyncException(from, where(from) + " expected bytes for '" + tag + "' but got ring elements");
    }
    return m.bytes();
  }

  private Message receive(int from, String tag) {
    checkPeer(from);
    Message m;
    try {
      m = take(from, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LinkException(from, where(from) + " was interrupted while waiting for '" + tag + "'", e);
    }
    if (m == null) {
      throw new PeerTimeoutException(from, "party " + self + " waited " + timeout.toMillis() + " ms for '" + tag
          + "' from " + describe(from) + " and got nothing: the peer is slow, stuck or gone");
    }
    if (!m.tag().equals(tag)) {
      throw new ProtocolDesyncException(from, where(from) + " expected step '" + tag + "' but the peer sent '"
          + m.tag() + "': the parties are not running the same program");
    }
    stats.onReceive(from, m);
    return m;
  }

  protected String where(int peer) {
    return "party " + self + " receiving from " + describe(peer);
  }

  private void checkPeer(int peer) {
    if (peer < 0 || peer >= endpoints || peer == self) {
      throw new IllegalArgumentException("party " + self + ": no peer " + peer + " among " + endpoints + " endpoints");
    }
  }
}

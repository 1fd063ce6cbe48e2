package org.sparkspu.engine.link;

import java.time.Duration;

/**
 * Point-to-point channels between the endpoints of one session (parties 0..n-1, plus a dealer
 * endpoint where a protocol has one). Channels are FIFO per ordered pair; every party runs the
 * same program, so the k-th message from a peer is the one for the k-th matching receive, and its
 * tag must equal the tag the receiver expects.
 *
 * <p>Every receive waits at most {@link #timeout()} and then fails with an exception naming the
 * peer. A sent long[] is handed over: the caller must not write it afterwards (tensors are
 * immutable, so this is free).
 */
public interface Link extends AutoCloseable {
  /** This endpoint's index. */
  int self();

  /** Number of endpoints in the session. */
  int endpoints();

  /** Human-readable name of an endpoint for error messages, e.g. "party 2 (127.0.0.1:7002)". */
  String describe(int endpoint);

  Duration timeout();

  LinkStats stats();

  void send(int to, String tag, long[] payload, boolean offline);

  long[] recv(int from, String tag);

  void sendBytes(int to, String tag, byte[] payload, boolean offline);

  byte[] recvBytes(int from, String tag);

  default void send(int to, String tag, long[] payload) {
    send(to, tag, payload, false);
  }

  default void sendBytes(int to, String tag, byte[] payload) {
    sendBytes(to, tag, payload, false);
  }

  /** Closes this endpoint; peers waiting on it fail promptly with {@link PeerClosedException}. */
  @Override
  void close();
}

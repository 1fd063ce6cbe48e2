package org.sparkspu.engine.link;

/**
 * Counters of one endpoint's traffic. Rounds are measured as a Lamport depth: every message
 * carries its sender's depth d, and receiving it lifts the receiver's depth to at least d + 1. The
 * depth therefore counts the longest chain of dependent messages: a protocol step in which every
 * party sends and then receives is one round however many messages it uses. Offline
 * (preprocessing) messages are counted apart and do not advance the depth.
 *
 * <p>A second depth restarts at zero with every kernel ({@link #beginKernel}); since all parties
 * run the same kernels in the same order, it counts the rounds of one kernel alone, unskewed by
 * parties that reached the kernel at different session depths.
 */
public final class LinkStats {
  private final long[] bytesSentTo;
  private final long[] bytesReceivedFrom;
  private long messagesSent;
  private long messagesReceived;
  private long offlineBytesSent;
  private long offlineBytesReceived;
  private int depth;
  private int kernelDepth;

  public LinkStats(int endpoints) {
    bytesSentTo = new long[endpoints];
    bytesReceivedFrom = new long[endpoints];
  }

  /** Counts an outgoing message and returns {depth, kernelDepth} to stamp on it. */
  synchronized int[] stampSend(int to, long payloadBytes, boolean offline) {
    messagesSent++;
    if (offline) offlineBytesSent += payloadBytes;
    else bytesSentTo[to] += payloadBytes;
    return new int[] {depth, kernelDepth};
  }

  /** Restarts the per-kernel depth (called when an outermost kernel starts). */
  public synchronized void beginKernel() {
    kernelDepth = 0;
  }

  public synchronized int kernelDepth() {
    return kernelDepth;
  }

  synchronized void onReceive(int from, Message m) {
    messagesReceived++;
    if (m.offline()) {
      offlineBytesReceived += m.payloadBytes();
    } else {
      bytesReceivedFrom[from] += m.payloadBytes();
      depth = Math.max(depth, m.depth() + 1);
      kernelDepth = Math.max(kernelDepth, m.kernelDepth() + 1);
    }
  }

  public synchronized int depth() {
    return depth;
  }

  /** Online payload bytes this endpoint sent to all peers. */
  public synchronized long bytesSent() {
    long s = 0;
    for (long b : bytesSentTo) s += b;
    return s;
  }

  public synchronized long bytesReceived() {
    long s = 0;
    for (long b : bytesReceivedFrom) s += b;
    return s;
  }

  public synchronized long bytesSentTo(int peer) {
    return bytesSentTo[peer];
  }

  public synchronized long offlineBytesSent() {
    return offlineBytesSent;
  }

  public synchronized long offlineBytesReceived() {
    return offlineBytesReceived;
  }

  public synchronized long messagesSent() {
    return messagesSent;
  }

  public synchronized long messagesReceived() {
    return messagesReceived;
  }

  /** A consistent copy of the counters. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(depth, kernelDepth, bytesSent(), bytesReceived(), offlineBytesSent, offlineBytesReceived,
        messagesSent);
  }

  public record Snapshot(int depth, int kernelDepth, long bytesSent, long bytesReceived, long offlineBytesSent,
      long offlineBytesReceived, long messagesSent) {}
}

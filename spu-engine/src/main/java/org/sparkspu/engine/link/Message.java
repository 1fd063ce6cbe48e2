package org.sparkspu.engine.link;

/**
 * One message between two endpoints: a tag naming the protocol step (checked on receipt so that a
 * desynchronised peer is an error, not silent garbage), the sender's round depths (session-wide
 * and within the current kernel, for counting rounds as the critical path of message
 * dependencies), whether it belongs to the offline (preprocessing) phase, and a payload of ring
 * elements or bytes.
 */
public record Message(String tag, int depth, int kernelDepth, boolean offline, long[] longs, byte[] bytes) {
  /** Payload size in bytes as counted by the link statistics (the cost model counts payload). */
  public long payloadBytes() {
    return (longs == null ? 0L : 8L * longs.length) + (bytes == null ? 0L : bytes.length);
  }
}

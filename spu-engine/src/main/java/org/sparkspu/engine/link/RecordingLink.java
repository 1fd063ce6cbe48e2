package org.sparkspu.engine.link;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A link that keeps a copy of every payload its endpoint receives: exactly what the peers showed
 * this party. For leakage audits (tests that check a party never receives a value it must not see,
 * or that the message sizes depend only on public sizes); it holds every message in memory.
 */
public final class RecordingLink implements Link {
  /** One received message: {@code bytes} for byte payloads, {@code longs} for ring payloads (the other is null). */
  public record Received(int from, String tag, byte[] bytes, long[] longs) {
    /** Payload bytes (a long is 8). */
    public int length() {
      return bytes != null ? bytes.length : longs.length * 8;
    }

    /** The payload as bytes (longs little-endian, as they travel). */
    public byte[] asBytes() {
      if (bytes != null) return bytes;
      ByteBuffer b = ByteBuffer.allocate(longs.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(longs);
      return b.array();
    }
  }

  private final Link inner;
  private final List<Received> received = new ArrayList<>();

  public RecordingLink(Link inner) {
    this.inner = inner;
  }

  /** A snapshot of the messages received so far, in arrival order. */
  public List<Received> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  private void record(Received r) {
    synchronized (received) {
      received.add(r);
    }
  }

  @Override
  public int self() {
    return inner.self();
  }

  @Override
  public int endpoints() {
    return inner.endpoints();
  }

  @Override
  public String describe(int endpoint) {
    return inner.describe(endpoint);
  }

  @Override
  public Duration timeout() {
    return inner.timeout();
  }

  @Override
  public LinkStats stats() {
    return inner.stats();
  }

  @Override
  public void send(int to, String tag, long[] payload, boolean offline) {
    inner.send(to, tag, payload, offline);
  }

  @Override
  public long[] recv(int from, String tag) {
    long[] v = inner.recv(from, tag);
    record(new Received(from, tag, null, v.clone()));
    return v;
  }

  @Override
  public void sendBytes(int to, String tag, byte[] payload, boolean offline) {
    inner.sendBytes(to, tag, payload, offline);
  }

  @Override
  public byte[] recvBytes(int from, String tag) {
    byte[] v = inner.recvBytes(from, tag);
    record(new Received(from, tag, v.clone(), null));
    return v;
  }

  @Override
  public void close() {
    inner.close();
  }
}

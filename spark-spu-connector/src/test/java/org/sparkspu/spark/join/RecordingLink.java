package org.sparkspu.spark.join;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.link.LinkStats;

/** TEST ONLY: a link that keeps a copy of every payload its endpoint receives (what the peers showed it). */
final class RecordingLink implements Link {
  /** One received message; long payloads are kept as their little-endian bytes. */
  record Received(int from, String tag, byte[] bytes) {
    int length() {
      return bytes.length;
    }
  }

  private final Link inner;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

  RecordingLink(Link inner) {
    this.inner = inner;
  }

  List<Received> received() {
    synchronized (received) {
      return new ArrayList<>(received);
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
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(v);
    received.add(new Received(from, tag, b.array()));
    return v;
  }

  @Override
  public void sendBytes(int to, String tag, byte[] payload, boolean offline) {
    inner.sendBytes(to, tag, payload, offline);
  }

  @Override
  public byte[] recvBytes(int from, String tag) {
    byte[] v = inner.recvBytes(from, tag);
    received.add(new Received(from, tag, v.clone()));
    return v;
  }

  @Override
  public void close() {
    inner.close();
  }
}

package org.sparkspu.engine.psi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.link.LinkStats;

/** A link that keeps a copy of every payload this endpoint receives: what the peer showed it. */
final class RecordingLink implements Link {
  record Received(int from, String tag, byte[] bytes, long[] longs) {}

  private final Link inner;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

  RecordingLink(Link inner) {
    this.inner = inner;
  }

  List<Received> received() {
    return received;
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
    received.add(new Received(from, tag, null, v.clone()));
    return v;
  }

  @Override
  public void sendBytes(int to, String tag, byte[] payload, boolean offline) {
    inner.sendBytes(to, tag, payload, offline);
  }

  @Override
  public byte[] recvBytes(int from, String tag) {
    byte[] v = inner.recvBytes(from, tag);
    received.add(new Received(from, tag, v.clone(), null));
    return v;
  }

  @Override
  public void close() {
    inner.close();
  }
}

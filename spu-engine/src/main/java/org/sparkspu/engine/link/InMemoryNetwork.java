package org.sparkspu.engine.link;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Links between endpoints that are threads of one JVM: one FIFO queue per ordered pair. Used by
 * the simulator; protocols run the same code over it as over Netty.
 */
public final class InMemoryNetwork {
  private static final Message CLOSED = new Message("<closed>", 0, 0, false, null, null);

  private final int endpoints;
  private final LinkedBlockingQueue<Message>[][] queues; // [to][from]
  private final Duration timeout;

  @SuppressWarnings({"unchecked", "rawtypes"})
  public InMemoryNetwork(int endpoints, Duration timeout) {
    this.endpoints = endpoints;
    this.timeout = timeout;
    this.queues = new LinkedBlockingQueue[endpoints][endpoints];
    for (int to = 0; to < endpoints; to++) {
      for (int from = 0; from < endpoints; from++) queues[to][from] = new LinkedBlockingQueue<>();
    }
  }

  public Link link(int self) {
    return new InMemoryLink(self);
  }

  private final class InMemoryLink extends AbstractLink {
    private volatile boolean closed;

    InMemoryLink(int self) {
      super(self, InMemoryNetwork.this.endpoints, InMemoryNetwork.this.timeout);
    }

    @Override
    public String describe(int endpoint) {
      return "party " + endpoint + " (in-memory)";
    }

    @Override
    protected void transmit(int to, Message message) {
      if (closed) throw new LinkException(to, "party " + self + " sent on a closed link");
      queues[to][self].add(message);
    }

    @Override
    protected Message take(int from, Duration wait) throws InterruptedException {
      Message m = queues[self][from].poll(wait.toNanos(), TimeUnit.NANOSECONDS);
      if (m == CLOSED) {
        queues[self][from].add(CLOSED); // stay closed for later receives
        throw new PeerClosedException(from, "party " + self + ": " + describe(from) + " closed its link (it failed or stopped)");
      }
      return m;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      for (int to = 0; to < endpoints; to++) if (to != self) queues[to][self].add(CLOSED);
    }
  }
}

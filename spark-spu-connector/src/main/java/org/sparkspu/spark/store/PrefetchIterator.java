package org.sparkspu.spark.store;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a source iterator on its own daemon thread, up to {@code depth} items ahead, so that reading
 * and verifying the next batch overlaps the MPC work on the current one. Memory: depth + 1 items.
 * An error of the source is rethrown by {@link #next}/{@link #hasNext}; {@link #close} stops the
 * thread and closes the source.
 */
public final class PrefetchIterator<T> implements Iterator<T>, AutoCloseable {
  private static final Object END = new Object();

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private final AutoCloseable source;
  private volatile boolean closed;
  private Object head;

  private record Failure(Throwable error) {}

  public <S extends Iterator<T> & AutoCloseable> PrefetchIterator(S source, int depth, String name) {
    this.source = source;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, depth));
    this.thread = new Thread(() -> {
      try {
        while (!closed && source.hasNext()) put(source.next());
        put(END);
      } catch (Throwable t) {
        put(new Failure(t));
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void put(Object o) {
    try {
      while (!closed && !queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
        // wait for the consumer, or for close()
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean hasNext() {
    if (head == null) {
      try {
        head = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the share reader", e);
      }
    }
    if (head instanceof Failure f) {
      if (f.error() instanceof RuntimeException r) throw r;
      if (f.error() instanceof Error e) throw e;
      throw new IllegalStateException(f.error().getMessage(), f.error());
    }
    return head != END;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T next() {
    if (!hasNext()) throw new NoSuchElementException();
    T t = (T) head;
    head = null;
    return t;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      source.close();
    } catch (Exception ignored) {
      // closing a reader only releases file handles
    }
  }
}

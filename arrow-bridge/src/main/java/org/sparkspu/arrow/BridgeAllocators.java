package org.sparkspu.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The process-wide Arrow root allocator of the bridge, with a limit, from which every partition
 * takes a child allocator with its own limit ({@link BridgeConfig#allocatorLimitBytes()}). Its
 * peak allocation is the bridge's peak direct memory; at rest it holds zero bytes.
 *
 * <p>The root's limit is the system property {@code sparkspu.arrow.maxDirectBytes} (default 4 GiB).
 */
public final class BridgeAllocators {
  public static final String LIMIT_PROPERTY = "sparkspu.arrow.maxDirectBytes";
  public static final long DEFAULT_ROOT_LIMIT = 4L << 30;

  private static volatile RootAllocator root;

  private BridgeAllocators() {}

  /** The shared root, created on first use. Never close it: it lives as long as the JVM. */
  public static BufferAllocator root() {
    RootAllocator r = root;
    if (r == null) {
      synchronized (BridgeAllocators.class) {
        r = root;
        if (r == null) root = r = new RootAllocator(Long.getLong(LIMIT_PROPERTY, DEFAULT_ROOT_LIMIT));
      }
    }
    return r;
  }
}

package org.sparkspu.engine.mpc;

import org.sparkspu.engine.link.LinkStats;

/** Receives one record per outermost kernel call (the runtime's Profile implements it). */
public interface KernelObserver {
  KernelObserver NONE = (kernel, elements, before, after, nanos) -> {};

  void kernelDone(String kernel, long elements, LinkStats.Snapshot before, LinkStats.Snapshot after, long nanos);
}

package org.sparkspu.engine.mpc;

import java.security.SecureRandom;
import org.sparkspu.engine.link.Link;

/**
 * What a protocol needs from its session: the link (parties are endpoints 0..parties-1; a
 * semi2k trusted-third-party dealer, if any, is endpoint {@code parties}), an entropy source for
 * fresh seeds, and an observer for per-kernel statistics.
 */
public record ProtocolContext(Link link, int parties, SecureRandom random, KernelObserver observer, DealerMode dealerMode) {
  /** Where semi2k's correlated randomness comes from. */
  public enum DealerMode {
    /** Party 0 deals (trusted first party): no dealer traffic at all, party 0 must be trusted. */
    FIRST_PARTY,
    /** A separate dealer endpoint that computes nothing else (trusted third party). */
    THIRD_PARTY
  }

  public int self() {
    return link.self();
  }
}

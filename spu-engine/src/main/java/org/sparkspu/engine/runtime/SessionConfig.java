package org.sparkspu.engine.runtime;

import java.time.Duration;
import org.sparkspu.engine.mpc.ProtocolContext.DealerMode;

/**
 * Settings every party of a session must agree on.
 *
 * @param protocol ref2k, semi2k or aby3
 * @param parties number of computing parties (aby3: exactly 3; semi2k: at least 2)
 * @param fractionBits fixed-point fraction bits f (SPU's FM64 default: 18)
 * @param timeout longest wait for any one message before failing with the peer's name
 * @param dealerMode semi2k only: party 0 deals, or a separate dealer endpoint does
 */
public record SessionConfig(String protocol, int parties, int fractionBits, Duration timeout, DealerMode dealerMode) {
  public static final int DEFAULT_FRACTION_BITS = 18;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public SessionConfig {
    switch (protocol) {
      case "ref2k" -> { if (parties < 1) throw new IllegalArgumentException("ref2k needs at least 1 party"); }
      case "semi2k" -> { if (parties < 2) throw new IllegalArgumentException("semi2k needs at least 2 parties, got " + parties); }
      case "aby3" -> { if (parties != 3) throw new IllegalArgumentException("aby3 runs with exactly 3 parties, got " + parties); }
      default -> throw new IllegalArgumentException("unknown protocol '" + protocol + "': use ref2k, semi2k or aby3");
    }
    if (fractionBits < 0 || fractionBits > 40) throw new IllegalArgumentException("fraction bits must be in [0, 40], got " + fractionBits);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
    if (dealerMode == null) dealerMode = DealerMode.FIRST_PARTY;
  }

  public static SessionConfig of(String protocol, int parties) {
    return new SessionConfig(protocol, parties, DEFAULT_FRACTION_BITS, DEFAULT_TIMEOUT, DealerMode.FIRST_PARTY);
  }

  public static SessionConfig aby3() {
    return of("aby3", 3);
  }

  public static SessionConfig semi2k(int parties) {
    return of("semi2k", parties);
  }

  public SessionConfig withTimeout(Duration t) {
    return new SessionConfig(protocol, parties, fractionBits, t, dealerMode);
  }

  public SessionConfig withDealer(DealerMode m) {
    return new SessionConfig(protocol, parties, fractionBits, timeout, m);
  }

  public SessionConfig withFractionBits(int f) {
    return new SessionConfig(protocol, parties, f, timeout, dealerMode);
  }

  /** Link endpoints: the parties, plus the dealer for semi2k in third-party mode. */
  public int endpoints() {
    return parties + (hasDealerEndpoint() ? 1 : 0);
  }

  public boolean hasDealerEndpoint() {
    return protocol.equals("semi2k") && dealerMode == DealerMode.THIRD_PARTY;
  }
}

package org.sparkspu.engine.runtime;

import java.security.SecureRandom;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.ProtocolContext;
import org.sparkspu.engine.mpc.Protocols;

/**
 * One party's view of a computation: its id, the link to its peers, the protocol (whose seeds are
 * set up fresh when the session opens), the fixed-point encoding and the profile of what ran.
 */
public final class Session implements AutoCloseable {
  private final SessionConfig config;
  private final Link link;
  private final Profile profile = new Profile();
  private final Protocol protocol;
  private final FixedPoint fixedPoint;

  public Session(SessionConfig config, Link link) {
    if (link.self() >= config.parties()) {
      throw new IllegalArgumentException("endpoint " + link.self() + " is not a computing party; run the dealer with Session.serveDealer");
    }
    if (link.endpoints() != config.endpoints()) {
      throw new IllegalArgumentException("link has " + link.endpoints() + " endpoints but the session needs " + config.endpoints());
    }
    this.config = config;
    this.link = link;
    this.fixedPoint = new FixedPoint(config.fractionBits());
    this.protocol = Protocols.create(config.protocol(),
        new ProtocolContext(link, config.parties(), new SecureRandom(), profile, config.dealerMode()));
  }

  /** Runs the semi2k trusted-third-party dealer on the last endpoint until the parties finish. */
  public static void serveDealer(SessionConfig config, Link link) {
    Protocols.serveDealer(new ProtocolContext(link, config.parties(), new SecureRandom(), new Profile(), config.dealerMode()));
  }

  public int self() {
    return link.self();
  }

  public int parties() {
    return config.parties();
  }

  public SessionConfig config() {
    return config;
  }

  public Protocol protocol() {
    return protocol;
  }

  public Link link() {
    return link;
  }

  public Profile profile() {
    return profile;
  }

  public FixedPoint fixedPoint() {
    return fixedPoint;
  }

  @Override
  public void close() {
    try {
      protocol.close();
    } finally {
      link.close();
    }
  }
}

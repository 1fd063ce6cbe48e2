package org.sparkspu.engine.link;

/** A peer did not send an expected message within the link's timeout. */
public final class PeerTimeoutException extends LinkException {
  public PeerTimeoutException(int peer, String message) {
    super(peer, message);
  }
}

package org.sparkspu.engine.link;

/** A peer closed its end (it failed, finished early or its process died). */
public final class PeerClosedException extends LinkException {
  public PeerClosedException(int peer, String message) {
    super(peer, message);
  }
}

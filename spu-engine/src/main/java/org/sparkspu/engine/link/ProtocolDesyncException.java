package org.sparkspu.engine.link;

/** A peer's next message carried another tag than the step this party is at. */
public final class ProtocolDesyncException extends LinkException {
  public ProtocolDesyncException(int peer, String message) {
    super(peer, message);
  }
}

package org.sparkspu.engine.link;

/** A communication failure; the message names the party that saw it and the peer concerned. */
public class LinkException extends RuntimeException {
  private final int peer;

  public LinkException(int peer, String message) {
    super(message);
    this.peer = peer;
  }

  public LinkException(int peer, String message, Throwable cause) {
    super(message, cause);
    this.peer = peer;
  }

  /** The peer endpoint the failure concerns, or -1 when none. */
  public int peer() {
    return peer;
  }
}

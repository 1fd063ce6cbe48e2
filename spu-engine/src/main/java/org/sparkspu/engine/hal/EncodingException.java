package org.sparkspu.engine.hal;

/** A value that cannot be encoded in the ring (out of range, NaN, infinity). */
public final class EncodingException extends IllegalArgumentException {
  public EncodingException(String message) {
    super(message);
  }
}

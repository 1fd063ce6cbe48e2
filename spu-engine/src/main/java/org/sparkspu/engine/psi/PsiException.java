package org.sparkspu.engine.psi;

/**
 * A PSI run that cannot go on: the parties disagree on the session, the peer refused, or the peer
 * sent something that is not a protocol message. Messages name parties, sizes and row positions,
 * never key values or blinded points.
 */
public class PsiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PsiException(String message) {
    super(message);
  }
}

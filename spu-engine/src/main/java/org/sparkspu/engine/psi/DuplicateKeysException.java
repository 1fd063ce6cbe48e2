package org.sparkspu.engine.psi;

/**
 * Duplicate keys where PSI cannot take them: raw duplicates in a party's key list (the peer would
 * see equal blinded values, so they are refused before anything is sent; deduplicate with
 * {@link KeyGroups#of}), or duplicates on both sides (an N:M join, which this PSI does not
 * support). The message gives counts and row positions, never key values.
 */
public final class DuplicateKeysException extends PsiException {
  private static final long serialVersionUID = 1L;

  public DuplicateKeysException(String message) {
    super(message);
  }
}

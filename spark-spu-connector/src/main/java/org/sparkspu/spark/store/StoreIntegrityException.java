package org.sparkspu.spark.store;

/**
 * A share store that cannot be trusted for a query: a file whose digest does not match, a file bound
 * to another party, table or protocol, a missing or unexpected file, or parties whose stores
 * disagree. The message names the file and the party; it never contains share or plaintext values.
 */
public final class StoreIntegrityException extends IllegalStateException {
  private final int party;
  private final String file;

  public StoreIntegrityException(int party, String file, String message) {
    super(message);
    this.party = party;
    this.file = file;
  }

  /** The party whose folder holds the file (or -1). */
  public int party() {
    return party;
  }

  /** The file's path relative to the store root (or null). */
  public String file() {
    return file;
  }
}

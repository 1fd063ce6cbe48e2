package org.sparkspu.spark.plan;

/**
 * A query that spark-spu refuses or cannot run securely: the message names the column (or party, or
 * function) and says why. Messages never contain data values.
 */
public class SpuQueryException extends RuntimeException {
  private final String column;

  public SpuQueryException(String column, String message) {
    super(message);
    this.column = column;
  }

  public SpuQueryException(String message) {
    this(null, message);
  }

  /** The column the refusal is about, or null. */
  public String column() {
    return column;
  }
}

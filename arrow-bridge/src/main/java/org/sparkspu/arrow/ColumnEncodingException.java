package org.sparkspu.arrow;

/**
 * A column that cannot be encoded or decoded: names the column, the row within the partition (or
 * -1 when the whole column is at fault, e.g. its type) and the reason with the limit that was
 * exceeded. The offending value itself is never part of the message: it may be private data.
 */
public final class ColumnEncodingException extends IllegalArgumentException {
  private final String column;
  private final long row;

  public ColumnEncodingException(String column, long row, String reason) {
    super(row < 0 ? "column '" + column + "': " + reason : "column '" + column + "', row " + row + " of the partition: " + reason);
    this.column = column;
    this.row = row;
  }

  static ColumnEncodingException unsupportedType(String column, String type) {
    return new ColumnEncodingException(column, -1, "type " + type
        + " is not supported by the arrow bridge (supported: TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, "
        + "BOOLEAN, DATE, TIMESTAMP, TIMESTAMP_NTZ, STRING, BINARY); select or flatten the column before sharing it");
  }

  /** The column at fault. */
  public String column() {
    return column;
  }

  /** The 0-based row number within the partition, or -1 when no single row is at fault. */
  public long row() {
    return row;
  }
}

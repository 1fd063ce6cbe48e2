package org.sparkspu.arrow;

import java.util.List;

/**
 * One record batch of a partition in ring form: {@code rowCount} rows starting at row
 * {@code firstRow} of the partition, one {@link EncodedColumn} per column of the schema.
 */
public record EncodedBatch(long firstRow, int rowCount, List<EncodedColumn> columns) {
  public EncodedBatch {
    columns = List.copyOf(columns);
    for (EncodedColumn c : columns) {
      if (c.rowCount() != rowCount) {
        throw new IllegalArgumentException("column '" + c.column().name() + "' has " + c.rowCount() + " rows, the batch " + rowCount);
      }
    }
  }

  public EncodedColumn column(int i) {
    return columns.get(i);
  }

  /** The column named {@code name}. */
  public EncodedColumn column(String name) {
    for (EncodedColumn c : columns) if (c.column().name().equals(name)) return c;
    throw new IllegalArgumentException("no column '" + name + "' in this batch");
  }

  @Override
  public String toString() {
    return "EncodedBatch[rows " + firstRow + ".." + (firstRow + rowCount) + ", " + columns.size() + " columns]";
  }
}

package org.sparkspu.spark.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkspu.engine.mpc.Share;

/**
 * One batch of a party's shares: rows {@code firstRow .. firstRow + rows} of the table, for each
 * requested column this party's Share of its values and, where the column is nullable, of its
 * validity (1 = value, 0 = NULL; the value is 0 at NULL rows). Every Share has {@code capacity}
 * elements: when the reader pads, the rows after {@code rows} are zero shares (of 0), which a
 * query masks out with a public row-exists vector.
 */
public record ShareBatch(long firstRow, int rows, int capacity, Map<String, Share> values, Map<String, Share> validity) {
  public ShareBatch {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    validity = Collections.unmodifiableMap(new LinkedHashMap<>(validity));
  }

  public Share values(String column) {
    Share s = values.get(column);
    if (s == null) throw new IllegalArgumentException("column '" + column + "' was not read");
    return s;
  }

  /** The validity share, or null when the column is NOT NULL. */
  public Share validity(String column) {
    return validity.get(column);
  }

  @Override
  public String toString() {
    return "ShareBatch[rows " + firstRow + ".." + (firstRow + rows) + " of capacity " + capacity + ", columns " + values.keySet() + "]";
  }
}

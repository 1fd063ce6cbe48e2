package org.sparkspu.engine.psi;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One party's join keys grouped by value: the distinct non-null keys in first-occurrence order,
 * and for each the rows holding it. PSI runs on the distinct keys only, because a key sent twice
 * would show the peer two equal blinded values (the blinding is deterministic per session), i.e.
 * the multiplicity of each of this party's keys. For a 1:N join the N side passes its groups to
 * {@link Psi#run(org.sparkspu.engine.link.Link, int, KeyGroups, PsiOptions)} and expands the
 * matches back to its rows with {@link PsiResult#rowsOf} (or {@link Psi#alignRows}).
 *
 * <p>Null keys never match (SQL semantics): they are left out of the groups and counted in
 * {@link #nullRows()}. Keys are compared as byte strings; the caller encodes composite keys
 * canonically. The byte arrays are not copied: do not modify them while PSI runs.
 */
public final class KeyGroups {
  private final byte[][] keys; // distinct, first-occurrence order
  private final int[] offsets; // rows of key k: rowsByKey[offsets[k] .. offsets[k + 1])
  private final int[] rowsByKey;
  private final int rowCount;
  private final int nullRows;
  private final int maxMultiplicity;

  private KeyGroups(byte[][] keys, int[] offsets, int[] rowsByKey, int rowCount, int nullRows, int maxMultiplicity) {
    this.keys = keys;
    this.offsets = offsets;
    this.rowsByKey = rowsByKey;
    this.rowCount = rowCount;
    this.nullRows = nullRows;
    this.maxMultiplicity = maxMultiplicity;
  }

  /** Groups the rows' keys (row i holds {@code rows.get(i)}; null = no key). */
  public static KeyGroups of(List<byte[]> rows) {
    Objects.requireNonNull(rows, "rows");
    int n = rows.size();
    Map<Bytes, Integer> index = new HashMap<>(Math.max(16, (int) (n / 0.7f) + 1), 0.75f);
    int[] keyOfRow = new int[n];
    int[] firstRow = new int[Math.max(1, n)];
    int distinct = 0;
    int nulls = 0;
    for (int r = 0; r < n; r++) {
      byte[] key = rows.get(r);
      if (key == null) {
        keyOfRow[r] = -1;
        nulls++;
        continue;
      }
      Integer k = index.putIfAbsent(new Bytes(key), distinct);
      if (k == null) {
        firstRow[distinct] = r;
        keyOfRow[r] = distinct++;
      } else {
        keyOfRow[r] = k;
      }
    }
    int[] offsets = new int[distinct + 1];
    for (int r = 0; r < n; r++) if (keyOfRow[r] >= 0) offsets[keyOfRow[r] + 1]++;
    int max = 0;
    for (int k = 0; k < distinct; k++) {
      max = Math.max(max, offsets[k + 1]);
      offsets[k + 1] += offsets[k];
    }
    int[] fill = Arrays.copyOf(offsets, distinct);
    int[] rowsByKey = new int[n - nulls];
    for (int r = 0; r < n; r++) if (keyOfRow[r] >= 0) rowsByKey[fill[keyOfRow[r]]++] = r;
    byte[][] keys = new byte[distinct][];
    for (int k = 0; k < distinct; k++) keys[k] = rows.get(firstRow[k]);
    return new KeyGroups(keys, offsets, rowsByKey, n, nulls, max);
  }

  /** Number of input rows, null keys included. */
  public int rowCount() {
    return rowCount;
  }

  /** Rows whose key is null (never matched, never sent). */
  public int nullRows() {
    return nullRows;
  }

  /** Number of distinct non-null keys: what PSI sends and what the peer learns as this party's set size. */
  public int size() {
    return keys.length;
  }

  /** True when some key occurs in more than one row. */
  public boolean hasDuplicates() {
    return maxMultiplicity > 1;
  }

  /** The distinct keys in first-occurrence order (a read-only view). */
  public List<byte[]> keys() {
    return new AbstractList<>() {
      @Override
      public byte[] get(int i) {
        return keys[i];
      }

      @Override
      public int size() {
        return keys.length;
      }
    };
  }

  public byte[] key(int k) {
    return keys[k];
  }

  /** Number of rows holding distinct key k. */
  public int multiplicity(int k) {
    return offsets[k + 1] - offsets[k];
  }

  /** The rows holding distinct key k, ascending. */
  public int[] rows(int k) {
    return Arrays.copyOfRange(rowsByKey, offsets[k], offsets[k + 1]);
  }

  /** The first (for keys without duplicates: the only) row holding distinct key k. */
  public int firstRow(int k) {
    return rowsByKey[offsets[k]];
  }

  /** The rows of each given distinct key, concatenated in the given order. */
  public int[] expand(int[] keyIndices) {
    int total = 0;
    for (int k : keyIndices) total += multiplicity(k);
    int[] out = new int[total];
    int at = 0;
    for (int k : keyIndices) {
      int len = multiplicity(k);
      System.arraycopy(rowsByKey, offsets[k], out, at, len);
      at += len;
    }
    return out;
  }

  /** Two rows holding the same key, for error messages (positions only), or null. */
  int[] someDuplicatePair() {
    for (int k = 0; k < keys.length; k++) {
      if (multiplicity(k) > 1) return new int[] {rowsByKey[offsets[k]], rowsByKey[offsets[k] + 1]};
    }
    return null;
  }

  /** Number of rows beyond the first of their key. */
  int surplusRows() {
    return rowCount - nullRows - keys.length;
  }

  /** A byte[] map key compared by content. */
  private record Bytes(byte[] b, int hash) {
    Bytes(byte[] b) {
      this(b, Arrays.hashCode(b));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes other && other.hash == hash && Arrays.equals(other.b, b);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}

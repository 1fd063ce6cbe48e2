package org.sparkspu.spark.sql;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * Secure tables that live in this JVM (a horizontal union of parties' DataFrames, or any other
 * {@link SecureTable}), found by the "spu" data source through the option {@value #OPTION}. A
 * table stays registered until {@link #remove} (it holds only DataFrame plans, no rows).
 */
public final class SpuTableRegistry {
  /** The data source option naming a registered table. */
  public static final String OPTION = "table";
  /** Another spelling of {@link #OPTION} for horizontal tables. */
  public static final String HORIZONTAL_OPTION = "horizontal";

  private static final Map<String, SecureTable> TABLES = new ConcurrentHashMap<>();
  private static final AtomicLong NEXT = new AtomicLong();

  private SpuTableRegistry() {}

  /** Registers {@code table} under a new name ({@link #newName}) and returns the name. */
  public static String register(SecureTable table) {
    String name = newName(table.layout());
    TABLES.put(name, table);
    return name;
  }

  /** A name no table of this JVM has: "spu_<layout>_<n>". */
  public static String newName(String layout) {
    return "spu_" + layout + "_" + NEXT.incrementAndGet();
  }

  /** Registers (or replaces) {@code table} under {@code name}. */
  public static void register(String name, SecureTable table) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a registered spu table needs a name");
    TABLES.put(name, table);
  }

  public static SecureTable get(String name) {
    SecureTable t = TABLES.get(name);
    if (t == null) {
      throw new SpuQueryException("no spu table named '" + name + "' is registered in this JVM (SecureFrame.own/union/of register them)");
    }
    return t;
  }

  public static void remove(String name) {
    TABLES.remove(name);
  }
}

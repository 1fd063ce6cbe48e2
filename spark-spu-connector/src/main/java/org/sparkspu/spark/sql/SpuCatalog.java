package org.sparkspu.spark.sql;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.catalyst.analysis.NoSuchFunctionException;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.connector.catalog.FunctionCatalog;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.functions.UnboundFunction;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.sparkspu.spark.plan.AggKind;

/**
 * The function catalog of the secure aggregates: with {@code spark.sql.catalog.spu=}this class
 * (SpuPlugin sets it), SQL calls them as {@code spu.system.secure_sum(x)}, ... They run only when
 * Spark pushes them into a spu scan (a SecureFrame view or {@code format("spu")}); see {@link
 * SecureAggregateFunction}. Unqualified names come from {@link SpuExtensions}.
 */
public final class SpuCatalog implements FunctionCatalog {
  /** The catalog name SpuPlugin registers. */
  public static final String NAME = "spu";
  /** The one namespace. */
  public static final String NAMESPACE = "system";
  /** Prefix of the functions' canonical names, by which the scan recognises them when pushed. */
  public static final String CANONICAL_PREFIX = "spu.system.";

  /** The SQL names, in {@link AggKind} order (secure_count(*) parses as secure_count(1)). */
  public static final String[] FUNCTIONS = Arrays.stream(AggKind.values()).filter(k -> k != AggKind.COUNT_STAR)
      .map(AggKind::sqlName).toArray(String[]::new);

  private String name = NAME;

  @Override
  public void initialize(String name, CaseInsensitiveStringMap options) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Identifier[] listFunctions(String[] namespace) throws NoSuchNamespaceException {
    if (namespace.length == 0) return new Identifier[0];
    if (!isSystem(namespace)) throw new NoSuchNamespaceException(namespace);
    return Arrays.stream(FUNCTIONS).map(f -> Identifier.of(new String[] {NAMESPACE}, f)).toArray(Identifier[]::new);
  }

  @Override
  public UnboundFunction loadFunction(Identifier ident) throws NoSuchFunctionException {
    if (isSystem(ident.namespace())) {
      UnboundFunction f = function(ident.name());
      if (f != null) return f;
    }
    throw new NoSuchFunctionException(ident);
  }

  /** The unbound secure function of that SQL name (case-insensitive), or null. */
  public static UnboundFunction function(String sqlName) {
    String n = sqlName.toLowerCase(Locale.ROOT);
    for (AggKind k : AggKind.values()) {
      if (k != AggKind.COUNT_STAR && k.sqlName().equals(n)) return new SecureAggregateFunction(k);
    }
    return null;
  }

  private static boolean isSystem(String[] namespace) {
    return namespace.length == 1 && namespace[0].equalsIgnoreCase(NAMESPACE);
  }
}

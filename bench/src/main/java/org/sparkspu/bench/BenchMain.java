package org.sparkspu.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Entry point of {@code bench/run SUITE [--quick]}: one suite per class, each printing one JSON
 * object per line on stdout (diagnostics go to stderr). {@code --quick} finishes in under a minute.
 */
public final class BenchMain {
  /** A benchmark suite. */
  public interface Suite {
    void run(boolean quick) throws Exception;

    /** With the command line's other arguments (suite options such as {@code --sf 1}); most suites take none. */
    default void run(boolean quick, List<String> args) throws Exception {
      run(quick);
    }
  }

  private static final Map<String, Supplier<Suite>> SUITES = new TreeMap<>();

  static {
    SUITES.put("engine", EngineBench::new);
    SUITES.put("arrow", ArrowBench::new);
    SUITES.put("compiler", CompilerBench::new);
    SUITES.put("psi", PsiBench::new);
    SUITES.put("tpch", TpchBench::new);
  }

  public static void main(String[] args) throws Exception {
    List<String> a = Arrays.asList(args);
    boolean quick = a.contains("--quick");
    String name = a.stream().filter(s -> !s.startsWith("--")).findFirst().orElse(null);
    if (name == null || !SUITES.containsKey(name)) {
      System.err.println("usage: bench/run SUITE [--quick] [suite options, e.g. tpch --sf 1]   suites: " + String.join(", ", SUITES.keySet()));
      System.exit(2);
    }
    List<String> rest = new java.util.ArrayList<>(a);
    rest.remove(name);
    SUITES.get(name).get().run(quick, rest);
  }
}

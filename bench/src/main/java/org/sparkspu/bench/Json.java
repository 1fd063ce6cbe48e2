package org.sparkspu.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Builds and prints one flat JSON object per benchmark result line, fields in insertion order. */
public final class Json {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public static Json of(String bench) {
    return new Json().put("bench", bench);
  }

  public Json put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  public String line() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!first) sb.append(',');
      first = false;
      sb.append('"').append(e.getKey()).append("\":").append(value(e.getValue()));
    }
    return sb.append('}').toString();
  }

  public void print() {
    System.out.println(line());
    System.out.flush();
  }

  private static String value(Object v) {
    if (v == null) return "null";
    if (v instanceof Boolean || v instanceof Integer || v instanceof Long) return v.toString();
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) return "null";
      return String.format(Locale.ROOT, "%.6g", d).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1");
    }
    return '"' + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}

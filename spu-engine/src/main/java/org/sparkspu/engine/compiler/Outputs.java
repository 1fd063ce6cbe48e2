package org.sparkspu.engine.compiler;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Type;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;

/**
 * One party's results of a run: public outputs and this party's private outputs as plaintext,
 * secret outputs as this party's shares, nothing for other parties' private outputs.
 */
public final class Outputs {
  private final Map<String, Object> values;
  private final Map<String, Type> types;
  private final FixedPoint fp;

  Outputs(Map<String, Object> values, Map<String, Type> types, FixedPoint fp) {
    this.values = values;
    this.types = types;
    this.fp = fp;
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(types.keySet());
  }

  public Type type(String name) {
    Type t = types.get(name);
    if (t == null) throw new IllegalArgumentException("no output named \"" + name + "\"; outputs: " + types.keySet());
    return t;
  }

  /** Whether this party holds a value for the output (false for other parties' private outputs). */
  public boolean holds(String name) {
    type(name);
    return values.get(name) != null;
  }

  /** The plaintext encoding of a public or own private output. */
  public RingTensor tensor(String name) {
    Type t = type(name);
    Object v = values.get(name);
    if (v instanceof Share) throw new IllegalStateException("output \"" + name + "\" is secret: reveal it in the program to read it");
    if (v == null) throw new IllegalStateException("output \"" + name + "\" is " + t.vis() + " and not held by this party");
    return (RingTensor) v;
  }

  /** A public or own private output decoded (fixed point divided by 2^f, integers as they are). */
  public double[] doubles(String name) {
    RingTensor t = tensor(name);
    if (type(name).dtype() == DType.FXP) return fp.decode(t);
    long[] d = t.data();
    double[] r = new double[d.length];
    for (int i = 0; i < d.length; i++) r[i] = d[i];
    return r;
  }

  /** This party's share of a secret output. */
  public Share share(String name) {
    Object v = values.get(name);
    if (!(v instanceof Share s)) throw new IllegalStateException("output \"" + name + "\" is " + type(name).vis() + ", not secret");
    return s;
  }
}

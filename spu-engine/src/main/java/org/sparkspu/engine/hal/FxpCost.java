package org.sparkspu.engine.hal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * Declared rounds and bytes of a complex function on n elements, derived from the protocol's own
 * kernel cost formulas: the function's kernel sequence is recorded once per (protocol, f, function)
 * on one element (every kernel it calls has a size proportional to n), then each kernel's cost is
 * taken at its real size and the costs are chained.
 */
public final class FxpCost {
  private record Key(String protocol, int parties, int f, Fn fn) {}

  private static final Map<Key, List<CostProbe.Call>> SEQUENCES = new ConcurrentHashMap<>();

  private FxpCost() {}

  public static Cost of(Protocol protocol, FixedPoint fp, Fn fn, long n) {
    List<CostProbe.Call> calls = SEQUENCES.computeIfAbsent(
        new Key(protocol.name(), protocol.parties(), fp.fractionBits(), fn), k -> record(protocol, fp, fn));
    Cost c = Cost.FREE;
    for (CostProbe.Call call : calls) {
      long[] dims = call.dims().clone();
      dims[0] *= n;
      c = c.then(protocol.cost(call.kernel(), dims));
    }
    return c;
  }

  /** Number of communicating kernel calls the function makes (independent of n). */
  public static int kernelCalls(Protocol protocol, FixedPoint fp, Fn fn) {
    return SEQUENCES.computeIfAbsent(
        new Key(protocol.name(), protocol.parties(), fp.fractionBits(), fn), k -> record(protocol, fp, fn)).size();
  }

  private static List<CostProbe.Call> record(Protocol protocol, FixedPoint fp, Fn fn) {
    CostProbe probe = new CostProbe(protocol);
    Share[] args = new Share[fn.arity()];
    for (int i = 0; i < args.length; i++) args[i] = new Share(Share.Kind.ARITH, RingTensor.zeros(Shape.vector(1)));
    new Fxp(probe, fp).apply(fn, args);
    return List.copyOf(probe.calls());
  }
}

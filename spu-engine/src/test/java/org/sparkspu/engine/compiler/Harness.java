package org.sparkspu.engine.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.DType;
import org.sparkspu.engine.ir.Node;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.mpc.Cost;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.engine.runtime.Simulator;

/** Runs a compiled program at every simulated party and gathers what the tests check. */
final class Harness {
  private Harness() {}

  /** Party 0's compiled program facts, every party's outputs, the merged profile of the run alone. */
  record Run(String explain, Cost expected, int rounds, int criticalPath, int kernelCalls, int communicatingOps,
      List<Outputs> outputs, Profile profile, Map<String, double[]> revealed) {
    double[] out(String name) {
      return revealed.get(name);
    }
  }

  /**
   * Compiles and runs {@code program}: plaintext values in {@code values} are supplied by their
   * owners (public ones by everyone); secret inputs are shared by party 0 first, outside the
   * measured run. Secret outputs are opened afterwards (also outside) for checking.
   */
  static Run run(SessionConfig cfg, Program program, Map<String, double[]> values) {
    var res = Simulator.run(cfg, s -> {
      Protocol p = s.protocol();
      FixedPoint fp = s.fixedPoint();
      Map<String, Object> inputs = new HashMap<>();
      for (Node n : program.inputs()) {
        String name = ((org.sparkspu.engine.ir.Op.Input) n.op()).name();
        double[] v = values.get(name);
        if (v == null) throw new IllegalArgumentException("test gave no value for " + name);
        if (n.vis().isSecret()) {
          RingTensor enc = s.self() == 0 ? encode(fp, v, n.dtype(), n.type().shape()) : null;
          inputs.put(name, p.input(0, enc, n.type().shape()));
        } else if (n.vis().isPublic() || ((Visibility.Private) n.vis()).party() == s.self()) {
          inputs.put(name, v);
        }
      }
      CompiledProgram cp = Compiler.compile(program, p, fp);
      s.profile().clear();
      Outputs out = cp.run(inputs);
      Profile measured = Profile.merge(List.of(s.profile()));
      Map<String, double[]> revealed = new LinkedHashMap<>();
      for (String name : out.names()) {
        if (out.type(name).vis().isSecret()) {
          RingTensor t = p.reveal(out.share(name));
          revealed.put(name, out.type(name).dtype() == DType.FXP ? fp.decode(t) : toDoubles(t.data()));
        } else if (out.holds(name)) {
          revealed.put(name, out.doubles(name));
        }
      }
      return new Object[] {cp, out, measured, revealed};
    });
    CompiledProgram cp0 = (CompiledProgram) res.output(0)[0];
    List<Outputs> outs = new ArrayList<>();
    List<Profile> profiles = new ArrayList<>();
    for (Object[] o : res.outputs()) {
      outs.add((Outputs) o[1]);
      profiles.add((Profile) o[2]);
    }
    @SuppressWarnings("unchecked")
    Map<String, double[]> revealed = (Map<String, double[]>) res.output(0)[3];
    return new Run(cp0.explain(), cp0.expectedCost(), cp0.rounds(), cp0.criticalPath(), cp0.kernelCalls(),
        cp0.communicatingOps(), outs, Profile.merge(profiles), revealed);
  }

  static RingTensor encode(FixedPoint fp, double[] v, DType d, org.sparkspu.engine.ring.Shape shape) {
    if (d == DType.FXP) return fp.encode(v, shape, "test");
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) l[i] = (long) v[i];
    return RingTensor.wrap(l, shape);
  }

  static double[] toDoubles(long[] d) {
    double[] r = new double[d.length];
    for (int i = 0; i < d.length; i++) r[i] = d[i];
    return r;
  }

  static Share unused() {
    return null;
  }
}

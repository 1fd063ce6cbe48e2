package org.sparkspu.engine.compiler;

import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.ir.Node;
import org.sparkspu.engine.ir.Op;
import org.sparkspu.engine.ir.Program;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.mpc.Protocol;

/**
 * Compiles a traced {@link Program} for one protocol (DESIGN.md section 4): constant folding, CSE
 * and DCE on the IR; lowering by visibility to local steps and kernels; then round merging and
 * CISC vectorisation ({@link Scheduler}). Compilation is deterministic, so every party compiling
 * the same program gets the same kernel sequence.
 */
public final class Compiler {
  private Compiler() {}

  public static CompiledProgram compile(Program program, Protocol protocol, FixedPoint fp) {
    if (program.fractionBits() != fp.fractionBits()) {
      throw new IllegalArgumentException("the program's constants use " + program.fractionBits() + " fraction bits, the session "
          + fp.fractionBits());
    }
    for (Node n : program.nodes()) {
      int party = n.vis() instanceof Visibility.Private pv ? pv.party() : n.op() instanceof Op.RevealTo r ? r.party() : -1;
      if (party >= protocol.parties()) {
        throw new IllegalArgumentException("node %" + n.id() + " (" + n.op().label() + ") names party " + party + ", but "
            + protocol.name() + " runs " + protocol.parties() + " parties");
      }
    }
    Program optimized = Passes.dce(Passes.cse(Passes.fold(program, fp)));
    return new CompiledProgram(program, optimized, Lowering.lower(optimized, fp), protocol, fp);
  }
}

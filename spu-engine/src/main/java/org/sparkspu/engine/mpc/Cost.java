package org.sparkspu.engine.mpc;

/**
 * Declared cost of one kernel call (as SPU's latency()/comm()): communication rounds on the
 * critical path and online payload bytes sent, summed over all parties. Tests hold the runtime
 * to these formulas; the compiler's explain() prints them.
 */
public record Cost(int rounds, long bytes) {
  public static final Cost FREE = new Cost(0, 0);

  /** Two steps one after the other. */
  public Cost then(Cost next) {
    return new Cost(rounds + next.rounds, bytes + next.bytes);
  }

  /** Two steps in the same rounds (merged exchanges). */
  public Cost alongside(Cost other) {
    return new Cost(Math.max(rounds, other.rounds), bytes + other.bytes);
  }

  public Cost times(int k) {
    return new Cost(rounds * k, bytes * k);
  }
}

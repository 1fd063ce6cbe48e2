package org.sparkspu.spark.join;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.psi.DuplicateKeysException;
import org.sparkspu.engine.psi.KeyGroups;
import org.sparkspu.engine.psi.Psi;
import org.sparkspu.engine.psi.PsiOptions;
import org.sparkspu.engine.psi.PsiResult;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.runtime.PartyProgram;

/**
 * The party program of a secure join's PSI step, run by every party of the MPC session
 * ({@link org.sparkspu.spark.runtime.MpcRunner}): the two key owners run ECDH-PSI with each other
 * ({@link Psi#run(Link, int, KeyGroups, PsiOptions)}, their keys deduplicated by {@link KeyGroups})
 * and expand the matches to the joined rows ({@link Psi#alignRows}); every other party does nothing
 * and receives nothing. Each key owner's output is its own row of every joined row, in the order
 * both owners share.
 */
final class JoinPsi implements PartyProgram<JoinPsi.Input, JoinPsi.Output> {
  private static final long serialVersionUID = 1L;

  /** Test hook: wraps each party's link (local mode only), e.g. to record what a party received. */
  static volatile UnaryOperator<Link> linkDecorator = UnaryOperator.identity();

  /**
   * One party's input.
   *
   * @param peer the other key owner, or -1 for a party that owns no key of this join
   * @param keys this party's canonical key of each row ({@link JoinKeys}), null = no key
   * @param keyNames the key columns (public), for error messages
   */
  record Input(int peer, ArrayList<byte[]> keys, List<String> keyNames, String sessionId, int batchSize) implements Serializable {
    static Input none(List<String> keyNames) {
      return new Input(-1, null, keyNames, "none", 1);
    }
  }

  /**
   * One party's output: its row of each joined row (null for a party without keys) and counters.
   *
   * @param ownKeys this party's distinct non-null keys (what the peer learned as its set size)
   * @param intersection matched distinct keys
   */
  record Output(int[] rows, int ownKeys, int peerKeys, int intersection, double seconds, long bytesSent, long bytesReceived)
      implements Serializable {}

  @Override
  public Output run(Session session, Input in) {
    if (in.peer() < 0) return new Output(null, 0, 0, 0, 0, 0, 0);
    Link link = linkDecorator.apply(session.link());
    PsiOptions options = PsiOptions.defaults().withSessionId(in.sessionId()).withBatchSize(in.batchSize());
    KeyGroups groups = KeyGroups.of(in.keys());
    try {
      PsiResult r = Psi.run(link, in.peer(), groups, options);
      int[] rows = Psi.alignRows(link, in.peer(), r);
      PsiResult.Stats s = r.stats();
      return new Output(rows, r.ownSize(), r.peerSize(), r.size(), s.seconds(), s.bytesSent(), s.bytesReceived());
    } catch (DuplicateKeysException e) {
      // Both sides repeat keys: the engine's message gives row positions; keep to the column names.
      throw new SpuQueryException(in.keyNames().get(0), "secure_join on " + in.keyNames() + ": both tables repeat values of the key"
          + " (an N:M join), which secure_join does not support: at most one side may have duplicate keys (1:1 or 1:N)");
    }
  }
}

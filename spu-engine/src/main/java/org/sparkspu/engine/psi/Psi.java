package org.sparkspu.engine.psi;

import java.util.List;
import org.sparkspu.engine.link.Link;

/**
 * Two-party private set intersection by commutative blinding (Diffie-Hellman PSI: Meadows, "A more
 * efficient cryptographic matchmaking protocol for use in the absence of a continuously available
 * third party", IEEE S&amp;P 1986; Huberman, Franklin and Hogg, "Enhancing privacy and trust in
 * electronic communities", ACM EC 1999), over the prime-order subgroup of Curve25519 (X25519, RFC
 * 7748) with keys hashed to the curve by RFC 9380. Semi-honest security: each party follows the
 * protocol; the DDH assumption on the group and the hash modelled as a random oracle keep
 * everything below hidden.
 *
 * <h2>Protocol</h2>
 * The leader L is the party with the lower endpoint id, the follower F the other. Each draws a
 * fresh secret scalar (L: a, F: b) and a secret random order of its distinct keys. In batches,
 * streamed in both directions at once:
 * <ol>
 *   <li>L sends H(x)^a for its keys x; F sends H(y)^b for its keys y (H: hash to curve, with a
 *       domain separation tag naming the suite, the session id and a per-run nonce);
 *   <li>F returns, in L's order, the tags T(H(x)^ab) (T: SHA-256 truncated to 128 bits); L
 *       computes T(H(y)^ba) for F's points and keeps them in a hash table;
 *   <li>L matches its tags against the table, sorts the matches by tag, and sends F the positions
 *       (in F's secret order) of F's matches in that order.
 * </ol>
 * Both then hold their own matched rows in one canonical order, the tag order, so the k-th match
 * of L and the k-th match of F carry the same key.
 *
 * <h2>What each party learns (leakage)</h2>
 * <ul>
 *   <li>which of its own rows are in the intersection, and hence the intersection size;
 *   <li>the aligned pairing: its k-th matched row holds the same key as the peer's k-th matched
 *       row (the order itself is pseudo-random and says nothing about either party's row order);
 *   <li>both set sizes (numbers of distinct non-null keys) and the peer's batch size;
 *   <li>whether the peer's rows had duplicate keys (one bit, exchanged so that an N:M join is
 *       refused before anything else is sent); with {@link #alignRows}, also the peer's
 *       multiplicity of each MATCHED key (the shape of the 1:N join output).
 * </ul>
 * Nothing else: the peer's keys outside the intersection stay hidden, and the blinded values a
 * party receives are pseudo-random group elements. Keys are never sent, nor their plain hashes
 * H(x). Duplicate keys sent raw would show the peer equal blinded values (the multiplicity of each
 * of this party's keys, matched or not), which is why a party's keys are deduplicated first
 * ({@link KeyGroups}) and raw duplicates are refused.
 *
 * <h2>Cost</h2>
 * Per distinct key: one hash to curve (by its owner) and two X25519 scalar multiplications (one by
 * each party), so each party computes (own + peer keys) scalar multiplications. Traffic: 32 bytes per own key sent, 16 bytes per peer key returned (follower),
 * plus 4 bytes per match (leader). Memory: the leader keeps 16 bytes per own key and about 40 per
 * peer key (its table of the peer's tags); the follower keeps O(batch).
 *
 * <h2>Choice of group</h2>
 * X25519's x-only Montgomery ladder costs 5M + 4S per scalar bit; a windowed Edwards
 * multiplication (as ristretto255 would need) about 3.25M + 4S per bit plus 9M and a table scan
 * per 4-bit window, i.e. roughly 15% more with Bouncy Castle's field costs (M ~ 45 ns, S ~ 31 ns
 * on the 2-core reference box), and ristretto's encodings add an inverse square root per point.
 * Bouncy Castle's X25519 scalar multiplication measured ~98 us there; it bounds the run.
 *
 * <p>Both parties call the same method with each other's endpoint id; the link may belong to a
 * larger session (any two endpoints of it can run PSI). Messages are tagged "psi/...". A run that
 * fails leaves the link open: close it (the Simulator and NettyLoopback harnesses do) so that the
 * peer fails at once instead of after the link's timeout.
 */
public final class Psi {
  private Psi() {}

  /**
   * Runs PSI on distinct keys: row i of this party holds {@code keys.get(i)} (null: no key, never
   * matches). Throws {@link DuplicateKeysException} (after telling the peer, which fails too)
   * if a non-null key occurs twice: deduplicate with {@link KeyGroups#of} and use
   * {@link #run(Link, int, KeyGroups, PsiOptions)}.
   *
   * @return this party's matched rows in the canonical order shared with the peer
   */
  public static PsiResult run(Link link, int peer, List<byte[]> keys, PsiOptions options) {
    return new PsiRun(link, peer, KeyGroups.of(keys), options, true).run();
  }

  /**
   * Runs PSI on the distinct keys of {@code groups}, whose rows may repeat keys (the N side of a
   * 1:N join). If the peer's rows also repeat keys, both parties throw
   * {@link DuplicateKeysException} before any key-derived value is sent.
   */
  public static PsiResult run(Link link, int peer, KeyGroups groups, PsiOptions options) {
    return new PsiRun(link, peer, groups, options, false).run();
  }

  /**
   * Expands a PSI result to the rows of the join: both parties call it after {@link #run} (same
   * link and peer) and get arrays of equal length whose k-th elements are joined rows. Per match,
   * the leader's rows are the outer loop and the follower's the inner one; as at most one side has
   * duplicates, this is "each row of the N side, paired with the one row of the other side". The
   * party with duplicates sends the multiplicities of its matched keys (in the canonical order) to
   * the other; without duplicates on either side it sends nothing and returns {@link
   * PsiResult#rows()}.
   */
  public static int[] alignRows(Link link, int peer, PsiResult result) {
    return PsiRun.alignRows(link, peer, result);
  }
}

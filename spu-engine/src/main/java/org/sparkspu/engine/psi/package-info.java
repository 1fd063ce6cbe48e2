/**
 * Private set intersection between two parties of a session, the base of the connector's
 * {@code secure_join}.
 *
 * <p>ECDH-PSI (Meadows 1986; Huberman, Franklin and Hogg 1999) over the prime-order subgroup of
 * Curve25519: keys are hashed to the curve by RFC 9380 ({@code curve25519_XMD:SHA-512_ELL2_RO_},
 * domain-separated per session and run), blinded by each party's fresh secret scalar with X25519
 * (RFC 7748, Bouncy Castle's implementation), and compared as 128-bit hashes of the doubly-blinded
 * points. Semi-honest; batched and streamed over an engine {@link org.sparkspu.engine.link.Link}
 * (in memory or Netty), with the hashing and scalar multiplications spread over a thread pool.
 *
 * <p>Use:
 * <pre>{@code
 * // on each party, with the other party's endpoint id as peer:
 * PsiResult r = Psi.run(link, peer, keys, PsiOptions.defaults().withSessionId(jobId));
 * int[] myRows = r.rows();            // k-th element pairs with the peer's k-th element
 *
 * // 1:N join: the side whose keys repeat groups them first
 * KeyGroups g = KeyGroups.of(keys);
 * PsiResult r = Psi.run(link, peer, g, options);
 * int[] joined = Psi.alignRows(link, peer, r);  // both parties call it; arrays align row by row
 * }</pre>
 *
 * <p>What each party learns is listed in {@link org.sparkspu.engine.psi.Psi}: its own matched rows,
 * the aligned pairing, both set sizes and whether the peer's rows repeat keys; nothing about the
 * peer's other keys. Raw duplicate keys are refused (the peer would see equal blinded values), and
 * duplicates on both sides (N:M) are refused by both parties before any key-derived value is sent.
 */
package org.sparkspu.engine.psi;

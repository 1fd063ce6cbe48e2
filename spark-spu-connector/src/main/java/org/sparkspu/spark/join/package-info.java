/**
 * secure_join: the inner equi-join of parties' tables as a secret, vertical table.
 *
 * <p>{@link org.sparkspu.spark.join.SecureJoin} runs it: the key owners' ECDH-PSI and 1:N row
 * alignment ({@code org.sparkspu.engine.psi}) in one MPC session, then every owner secret-shares
 * its non-key columns of the joined rows into a share store ({@code ShareStore.writeVertical}) and
 * keeps its own aligned plaintext rows in a private folder (for chained joins and later local
 * predicates). {@link org.sparkspu.spark.join.JoinKeys} encodes key tuples canonically; {@link
 * org.sparkspu.spark.join.SecureJoinSql} is the SQL route ({@code USING spu OPTIONS (secureJoin
 * ...)}); {@code SecureFrame.join} the DataFrame API. Leakage is listed in {@link
 * org.sparkspu.spark.join.SecureJoin}.
 */
package org.sparkspu.spark.join;

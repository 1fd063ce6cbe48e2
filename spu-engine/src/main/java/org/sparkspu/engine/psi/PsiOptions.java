package org.sparkspu.engine.psi;

import java.util.Objects;

/**
 * Settings of one PSI run.
 *
 * @param sessionId names the job; both parties must pass the same one (checked before anything
 *     else is sent). It enters the hash-to-curve domain separation tag together with a fresh
 *     per-run nonce, so hashes of one run are useless in another.
 * @param batchSize keys per message (and per parallel compute step); each party uses its own, the
 *     peer learns it. Memory per batch is about 100 bytes per key.
 * @param parallelism worker threads for hashing and scalar multiplication
 * @param hashToCurve RFC 9380 hash_to_curve (random oracle, the default) or the cheaper
 *     encode_to_curve; both parties must agree (checked)
 */
public record PsiOptions(String sessionId, int batchSize, int parallelism, HashToCurve hashToCurve) {
  public static final int DEFAULT_BATCH_SIZE = 1 << 14;
  public static final String DEFAULT_SESSION_ID = "spark-spu";

  /** Which RFC 9380 construction hashes keys to the group. */
  public enum HashToCurve {
    /** hash_to_curve, suite curve25519_XMD:SHA-512_ELL2_RO_: two maps and a point addition. */
    RANDOM_ORACLE(HashToCurve25519.SUITE_RO),
    /** encode_to_curve, suite curve25519_XMD:SHA-512_ELL2_NU_: one map, not uniform on the group. */
    NONUNIFORM(HashToCurve25519.SUITE_NU);

    private final String suite;

    HashToCurve(String suite) {
      this.suite = suite;
    }

    /** The RFC 9380 suite identifier. */
    public String suite() {
      return suite;
    }
  }

  public PsiOptions {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(hashToCurve, "hashToCurve");
    if (sessionId.isEmpty()) throw new IllegalArgumentException("PSI session id must not be empty");
    if (batchSize < 1 || batchSize > 1 << 22) {
      throw new IllegalArgumentException("PSI batch size must be in [1, 2^22], got " + batchSize);
    }
    if (parallelism < 1) throw new IllegalArgumentException("PSI parallelism must be at least 1, got " + parallelism);
  }

  /** Session "spark-spu", 2^14 keys per batch, one thread per core, hash_to_curve. */
  public static PsiOptions defaults() {
    return new PsiOptions(DEFAULT_SESSION_ID, DEFAULT_BATCH_SIZE, Runtime.getRuntime().availableProcessors(),
        HashToCurve.RANDOM_ORACLE);
  }

  public PsiOptions withSessionId(String id) {
    return new PsiOptions(id, batchSize, parallelism, hashToCurve);
  }

  public PsiOptions withBatchSize(int n) {
    return new PsiOptions(sessionId, n, parallelism, hashToCurve);
  }

  public PsiOptions withParallelism(int threads) {
    return new PsiOptions(sessionId, batchSize, threads, hashToCurve);
  }

  public PsiOptions withHashToCurve(HashToCurve h) {
    return new PsiOptions(sessionId, batchSize, parallelism, h);
  }
}

package org.sparkspu.spark.plan;

import java.io.Serializable;

/**
 * What one secure query cost and revealed: MPC rounds on the critical path, bytes each party sent,
 * time in MPC and in local (plaintext, own-data) Spark work, the compiled program's explain text and
 * a statement of what was revealed to whom.
 */
public record QueryProfile(String layout, String protocol, int parties, long rounds, long[] bytesSentPerParty,
    double mpcSeconds, double localSeconds, String program, String revealed) implements Serializable {

  /** Largest number of bytes any one party sent. */
  public long maxBytesPerParty() {
    long m = 0;
    for (long b : bytesSentPerParty) m = Math.max(m, b);
    return m;
  }

  /** A few lines for the console. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  layout %s, %s, %d parties: %d rounds, %,d bytes sent per party (max), MPC %.3f s, local %.3f s%n",
        layout, protocol, parties, rounds, maxBytesPerParty(), mpcSeconds, localSeconds));
    sb.append("  revealed: ").append(revealed).append('\n');
    return sb.toString();
  }
}

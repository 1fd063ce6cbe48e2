package org.sparkspu.spark.runtime;

/**
 * An MPC session failed; the message names the party whose failure started it (and in executor
 * mode its executor and host), its error, and how the other parties ended. Like every spark-spu
 * error it carries no data values: engine errors name parties, peers and addresses only.
 */
public class MpcPartyException extends RuntimeException {
  private final int party;
  private final String executorId;

  public MpcPartyException(int party, String executorId, String message, Throwable cause) {
    super(message, cause);
    this.party = party;
    this.executorId = executorId;
  }

  /** The party whose failure started it. */
  public int party() {
    return party;
  }

  /** Its executor ("driver" in local mode). */
  public String executorId() {
    return executorId;
  }

  /**
   * A failure as it happened in another JVM: the original class name in the message and the
   * original stack trace, without shipping the original exception object (whose class or fields
   * might not deserialize on the driver).
   */
  public static final class Remote extends RuntimeException {
    private final String originalClass;

    public Remote(String originalClass, String message, StackTraceElement[] trace) {
      super(originalClass + (message == null ? "" : ": " + message));
      this.originalClass = originalClass;
      if (trace != null) setStackTrace(trace);
    }

    public String originalClass() {
      return originalClass;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // the remote trace is set in the constructor
    }
  }
}

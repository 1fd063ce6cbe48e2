package org.sparkspu.spark.runtime;

import java.io.Serializable;
import org.sparkspu.engine.runtime.Session;

/**
 * The program every party runs in one MPC session (SPMD): party {@code session.self()} gets only its
 * own {@code input}. Serializable because in executor mode it runs inside a Spark task.
 */
@FunctionalInterface
public interface PartyProgram<I, O> extends Serializable {
  O run(Session session, I input) throws Exception;
}

package org.sparkspu.arrow;

import java.io.Serializable;
import java.util.Iterator;

/**
 * What a Spark task does with its partition in ring form, e.g. input it to the engine as a
 * party's private tensors. Runs on the executor; must be serialisable.
 */
@FunctionalInterface
public interface EncodedPartitionFunction<T> extends Serializable {
  /**
   * Consumes the partition's batches (streamed, one at a time: an {@code Iterator<EncodedBatch>}
   * that also reports rows encoded and peak off-heap bytes) and returns the task's results.
   */
  Iterator<T> apply(int partitionId, PartitionEncoder batches) throws Exception;
}

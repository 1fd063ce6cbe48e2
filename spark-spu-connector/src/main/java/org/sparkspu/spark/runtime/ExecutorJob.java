package org.sparkspu.spark.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.rdd.RDD;
import org.sparkspu.spark.plan.SpuConf;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The Spark side of executor mode: the barrier job of one MPC session and its bounded wait. Uses
 * public Spark API only (makeRDD, RDD.barrier, collectAsync, the status tracker).
 */
final class ExecutorJob {
  private ExecutorJob() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  static <I, O> List<PartyTask.Result> run(SparkContext sc, SpuConf conf, String sessionId, List<I> inputs,
      PartyTask<I, O> task) {
    int n = inputs.size();
    List<PartyTask.Input<I>> elems = new ArrayList<>();
    for (int k = 0; k < n; k++) elems.add(new PartyTask.Input<>(k, inputs.get(k)));
    ClassTag<PartyTask.Input<I>> inTag = (ClassTag) ClassTag$.MODULE$.apply(PartyTask.Input.class);
    ClassTag<PartyTask.Result> outTag = ClassTag$.MODULE$.apply(PartyTask.Result.class);
    // One element per slice: partition k holds party k's input only (the RDD's list itself is
    // transient and stays on the driver). With the plugin's party table, task k prefers the
    // executor of party slot k, so the parties run in distinct executor JVMs.
    Optional<List<String>> locations = sc.isLocal() ? Optional.empty()
        : PartyTable.current().flatMap(t -> t.partyLocations(n, CollectionConverters.asJava(sc.getExecutorIds())));
    RDD<PartyTask.Input<I>> rdd;
    if (locations.isPresent()) {
      List<Tuple2<PartyTask.Input<I>, Seq<String>>> withPrefs = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        withPrefs.add(new Tuple2<>(elems.get(k), CollectionConverters.asScala(List.of(locations.get().get(k))).toSeq()));
      }
      rdd = sc.makeRDD(CollectionConverters.asScala(withPrefs).toSeq(), inTag);
    } else {
      rdd = sc.makeRDD(CollectionConverters.asScala(elems).toSeq(), n, inTag);
    }
    RDD<PartyTask.Result> out = rdd.barrier().mapPartitions(task, false, outTag);
    String previous = sc.getLocalProperty("spark.job.description");
    sc.setLocalProperty("spark.job.description", "spark-spu MPC session " + sessionId + " (" + n + " parties)");
    try {
      JavaFutureAction<List<PartyTask.Result>> job = out.toJavaRDD().collectAsync();
      return new ArrayList<>(MpcRunner.await(job, sc, conf, n));
    } finally {
      sc.setLocalProperty("spark.job.description", previous);
    }
  }

  /** Whether any task of the job's stages has started (then the parties' own timeouts bound the wait). */
  static boolean anyTaskStarted(SparkContext sc, JavaFutureAction<?> job) {
    for (Integer jobId : job.jobIds()) {
      scala.Option<SparkJobInfo> info = sc.statusTracker().getJobInfo(jobId);
      if (info.isEmpty()) continue;
      for (int stageId : info.get().stageIds()) {
        scala.Option<SparkStageInfo> s = sc.statusTracker().getStageInfo(stageId);
        if (s.isDefined() && s.get().numActiveTasks() + s.get().numCompletedTasks() + s.get().numFailedTasks() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  static <O> O deserialize(byte[] bytes) {
    if (bytes == null) return null;
    return (O) SparkEnv.get().serializer().newInstance().deserialize(ByteBuffer.wrap(bytes), ClassTag$.MODULE$.AnyRef());
  }
}

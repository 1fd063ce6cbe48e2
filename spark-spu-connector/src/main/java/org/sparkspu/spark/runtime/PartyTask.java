package org.sparkspu.spark.runtime;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.SparkEnv;
import org.sparkspu.engine.link.LinkException;
import org.sparkspu.engine.link.NettyLink;
import org.sparkspu.engine.link.NettyNetwork;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.engine.runtime.SessionConfig;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import scala.Function1;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * The body of party k's barrier task in executor mode (see {@link MpcRunner}): bind, exchange
 * addresses with allGather, link, run party k's engine, report. A failure of the party's own
 * setup or program is reported as the task's result rather than thrown, so that one failing
 * party does not make Spark retry a deterministic failure as new stage attempts; Spark-level
 * failures (a dead executor, a killed task) still fail the task and the stage.
 */
final class PartyTask<I, O> implements Function1<Iterator<PartyTask.Input<I>>, Iterator<PartyTask.Result>>, Serializable {
  private static final String FAILED = "failed";

  /** Party k's input, the only element of partition k. */
  record Input<I>(int party, I value) implements Serializable {}

  /** One throwable of a cause chain, without the object itself. */
  record ErrorLink(String className, String message, StackTraceElement[] trace) implements Serializable {
    String simpleName() {
      return className.substring(className.lastIndexOf('.') + 1);
    }

    String summary() {
      return simpleName() + (message == null ? "" : ": " + message);
    }
  }

  /**
   * @param linkError the failure is (or wraps) a link error: usually an echo of a peer's failure
   * @param queryColumn set when the program refused the query with a {@link SpuQueryException}
   */
  record Failure(List<ErrorLink> chain, boolean linkError, String queryColumn, long atMillis) implements Serializable {
    static Failure of(Throwable t) {
      List<ErrorLink> chain = new ArrayList<>();
      boolean link = false;
      String column = null;
      for (Throwable c = t; c != null && chain.size() < 8; c = c.getCause() == c ? null : c.getCause()) {
        chain.add(new ErrorLink(c.getClass().getName(), c.getMessage(), c.getStackTrace()));
        link |= c instanceof LinkException;
      }
      if (t instanceof SpuQueryException) column = ((SpuQueryException) t).column();
      return new Failure(chain, link, column, System.currentTimeMillis());
    }

    /** The chain as {@link MpcPartyException.Remote}s, outermost first. */
    Throwable toRemote() {
      Throwable cause = null;
      for (int i = chain.size() - 1; i >= 0; i--) {
        ErrorLink l = chain.get(i);
        Throwable r = new MpcPartyException.Remote(l.className(), l.message(), l.trace());
        if (cause != null) r.initCause(cause);
        cause = r;
      }
      return cause;
    }
  }

  /** What task k reports: its output serialized by Spark's serializer, or its failure. */
  record Result(int party, String executorId, String host, byte[] output, long bytesSent, int depth,
      List<ProfileData> profile, Failure failure) implements Serializable {}

  private final SpuConf conf; // SessionConfig is not Serializable; SpuConf is and makes it
  private final String sessionId;
  private final PartyProgram<I, O> program;
  /** Decided on the driver, so that all parties exchange addresses the same way. */
  private final boolean driverRendezvous;
  private transient SessionConfig cfg;

  PartyTask(SpuConf conf, String sessionId, PartyProgram<I, O> program, boolean driverRendezvous) {
    this.conf = conf;
    this.driverRendezvous = driverRendezvous;
    this.sessionId = sessionId;
    this.program = program;
  }

  @Override
  public Iterator<Result> apply(Iterator<Input<I>> it) {
    cfg = conf.sessionConfig();
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int party = ctx.partitionId();
    int n = ctx.numPartitions();
    Input<I> in = it.next();
    if (it.hasNext() || in.party() != party || n != cfg.parties()) {
      throw new IllegalStateException("spark-spu: barrier task " + party + " of " + n + " did not get exactly party "
          + party + "'s input");
    }
    String executorId = SparkEnv.get().executorId();
    EndpointService svc = EndpointService.forTask(executorId, taskHost(ctx, party));
    // A retried stage attempt is a new MPC session: its own id, so no message of an old attempt can mix in.
    String session = sessionId + "-a" + ctx.stageAttemptNumber();
    NettyNetwork.Listener listener = null;
    Failure failure = null;
    String advert;
    try {
      listener = svc.bind(party, n, session, cfg.timeout());
      advert = party + ":" + hostPort(svc.host(), listener.port());
    } catch (RuntimeException e) {
      failure = Failure.of(e);
      advert = party + ":" + FAILED;
    }
    try {
      // Every party publishes, also one that could not bind: then all end at once.
      String[] all;
      try {
        all = exchange(ctx, svc, session, party, n, advert);
      } catch (NoServiceException e) {
        failure = failure != null ? failure : Failure.of(e);
        all = null;
      } catch (IllegalStateException e) {
        // A peer that never published (its task died: Spark fails the stage anyway) or a killed task.
        failure = failure != null ? failure : Failure.of(new LinkException(-1, "party " + party + ": " + e.getMessage(), e));
        all = null;
      }
      Result r = failure != null
          ? new Result(party, executorId, svc.host(), null, 0, 0, List.of(), failure)
          : runParty(party, executorId, svc.host(), listener, all, in.value());
      return CollectionConverters.asScala(List.of(r).iterator());
    } finally {
      if (listener != null) svc.release(listener);
    }
  }

  /**
   * "party:host:port" of every party, in party order: through the driver's rendezvous when the
   * plugin runs (milliseconds, bounded by the timeout), else Spark's allGather (which polls once a
   * second, and which a dying peer ends by failing the stage).
   */
  private String[] exchange(BarrierTaskContext ctx, EndpointService svc, String session, int party, int n, String advert) {
    if (!driverRendezvous) return ctx.allGather(advert);
    if (svc.rendezvous().isEmpty()) {
      // This executor's plugin did not start: fail this party now (the others stop at the timeout).
      throw new NoServiceException("executor " + svc.executorId() + " runs no spark-spu endpoint service (its plugin"
          + " failed to start: see the executor's log)");
    }
    return svc.rendezvous().get().exchange(session, party, n, advert, cfg.timeout(), ctx::isInterrupted);
  }

  /** The party's own executor cannot take part: not an echo of another party's failure. */
  static final class NoServiceException extends RuntimeException {
    NoServiceException(String message) {
      super(message);
    }
  }

  private Result runParty(int party, String executorId, String host, NettyNetwork.Listener listener, String[] adverts,
      I input) {
    long bytesSent = 0;
    int depth = 0;
    List<ProfileData> profile = List.of();
    try {
      List<InetSocketAddress> addresses = addresses(party, adverts);
      NettyLink link = listener.connect(addresses);
      Session s;
      try {
        s = new Session(cfg, link);
      } catch (RuntimeException e) {
        link.close();
        throw e;
      }
      byte[] out;
      try (s) {
        O o = program.run(s, input);
        bytesSent = s.link().stats().bytesSent();
        depth = s.link().stats().depth();
        profile = ProfileData.of(s.profile());
        out = serialize(o, party);
      }
      return new Result(party, executorId, host, out, bytesSent, depth, profile, null);
    } catch (Exception | AssertionError | LinkageError e) {
      return new Result(party, executorId, host, null, bytesSent, depth, profile, Failure.of(e));
    }
  }

  /** The parties' listening addresses in party order, from the allGather answers "party:host:port". */
  private static List<InetSocketAddress> addresses(int self, String[] adverts) {
    InetSocketAddress[] byParty = new InetSocketAddress[adverts.length];
    for (String a : adverts) {
      int colon = a.indexOf(':');
      int p = Integer.parseInt(a.substring(0, colon));
      String rest = a.substring(colon + 1);
      if (rest.equals(FAILED)) {
        throw new LinkException(p, "party " + self + ": party " + p + " could not open its endpoint, so the session cannot start");
      }
      byParty[p] = NettyNetwork.parseEndpoint(rest);
    }
    return List.of(byParty);
  }

  private static byte[] serialize(Object o, int party) {
    org.apache.spark.serializer.Serializer ser = SparkEnv.get().serializer();
    // Checked first under Java serialization: Spark's serialization debugger, which would explain the
    // failure, itself fails on JVMs without --add-opens for sun.security.action.
    if (o != null && !(o instanceof Serializable) && ser instanceof org.apache.spark.serializer.JavaSerializer) {
      throw notSerializable(o, party, null);
    }
    try {
      ByteBuffer b = ser.newInstance().serialize(o, ClassTag$.MODULE$.AnyRef());
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return bytes;
    } catch (RuntimeException | LinkageError e) {
      throw notSerializable(o, party, e);
    }
  }

  private static IllegalStateException notSerializable(Object o, int party, Throwable cause) {
    return new IllegalStateException("party " + party + "'s output (" + (o == null ? "null" : o.getClass().getName())
        + ") cannot be serialized by spark.serializer: outputs must be Serializable", cause);
  }

  /** The host the executor of this task runs on. */
  private static String taskHost(BarrierTaskContext ctx, int party) {
    BarrierTaskInfo[] infos = ctx.getTaskInfos();
    String address = infos.length > party ? infos[party].address() : null;
    if (address == null || address.isEmpty()) return "127.0.0.1";
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : address;
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}

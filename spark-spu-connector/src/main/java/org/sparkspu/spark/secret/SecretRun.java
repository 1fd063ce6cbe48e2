package org.sparkspu.spark.secret;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.sparkspu.engine.compiler.CompiledProgram;
import org.sparkspu.engine.compiler.Compiler;
import org.sparkspu.engine.compiler.Outputs;
import org.sparkspu.engine.ir.Visibility;
import org.sparkspu.engine.link.Link;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.spark.exec.Finisher;
import org.sparkspu.spark.exec.GroupTotals;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.store.PrefetchIterator;
import org.sparkspu.spark.store.ShareBatch;
import org.sparkspu.spark.store.ShareFileFormat;
import org.sparkspu.spark.store.ShareReader;
import org.sparkspu.spark.store.StoreIntegrityException;
import org.sparkspu.spark.store.StoreMetadata;

/**
 * What every party runs in a secret-table query's MPC session (SPMD): check its own share folder
 * against the plan and its peers', stream its share batches through the compiled batch program,
 * accumulate the secret {@link GroupTotals}, then finish (suppress small groups and reveal) or, in
 * tests, reveal the totals themselves. Party k reads only {@code <path>/party-<k>}.
 */
final class SecretRun {
  private SecretRun() {}

  /**
   * Party k's input: where its own shares lie, the metadata digest the query was planned on, and
   * the run's local mask folder name (null: no local predicates; party k reads only its own).
   */
  record PartyInput(String root, int party, String publicDigest, String localRun) implements Serializable {
    PartyInput(String root, int party, String publicDigest) {
      this(root, party, publicDigest, null);
    }
  }

  /** Party k's output: result rows (receivers only), the batch program's explain, batches, revealed totals (tests). */
  record PartyOutput(List<Row> rows, String explain, long batches, Revealed revealed) implements Serializable {}

  /** GroupTotals opened to every party (raw ring values, [group]); tests only. */
  record Revealed(long[] rows, List<long[]> counts, List<long[]> sums, List<long[]> squares, List<long[]> mins,
      List<long[]> maxs) implements Serializable {}

  enum Mode { FINISH, REVEAL_TOTALS }

  static PartyOutput run(Session s, PartyInput in, SecretPlan plan, Mode mode, List<List<Object>> groupKeys, int[] receivers) {
    int k = s.self();
    if (in.party() != k) throw new IllegalStateException("party " + k + " was given party " + in.party() + "'s input");
    StoreMetadata meta = StoreMetadata.read(in.root(), k);
    String where = ShareFileFormat.partyDirName(k) + "/" + ShareFileFormat.METADATA_FILE;
    if (meta == null) throw new StoreIntegrityException(k, where, "party " + k + " has no share store at " + in.root());
    String digest = meta.publicDigest();
    if (!digest.equals(in.publicDigest())) {
      throw new StoreIntegrityException(k, where, "party " + k + "'s share store metadata differs from the one the query was planned on"
          + " (the table changed, or the party's folder holds another table)");
    }
    compareWithPeers(s.link(), s.parties(), digest);

    BatchProgram.Built built = BatchProgram.build(plan, meta.hashKey());
    CompiledProgram cp = Compiler.compile(built.program(), s.protocol(), s.fixedPoint());
    BatchProgram.Layout lay = built.layout();
    Protocol p = s.protocol();
    int g = lay.groups, b = plan.batchRows();
    boolean minmax = lay.inputs.stream().anyMatch(x -> x.min || x.max);

    Share sumsI = p.constant(RingTensor.zeros(Shape.of(g, lay.intColumns)));
    Share sumsF = lay.fxpColumns == 0 ? null : p.constant(RingTensor.zeros(Shape.of(g, lay.fxpColumns)));
    Share[] mins = new Share[lay.inputs.size()], maxs = new Share[lay.inputs.size()];
    for (int i = 0; i < lay.inputs.size(); i++) {
      if (lay.inputs.get(i).min) mins[i] = p.constant(RingTensor.fill(Shape.vector(g), BatchProgram.MIN_SENTINEL));
      if (lay.inputs.get(i).max) maxs[i] = p.constant(RingTensor.fill(Shape.vector(g), BatchProgram.MAX_SENTINEL));
    }
    long batches = 0;
    long[] full = new long[b];
    java.util.Arrays.fill(full, 1L);
    Map<Integer, byte[]> localMasks = LocalPredicates.load(in.root(), in.localRun(), k, plan.locals(), plan.totalRows());
    ShareReader reader = new ShareReader(in.root(), k, meta, plan.readColumns(), b, true);
    try (PrefetchIterator<ShareBatch> it = new PrefetchIterator<>(reader, 2, "spu-share-reader-" + k)) {
      while (it.hasNext()) {
        ShareBatch batch = it.next();
        Map<String, Object> inputs = new HashMap<>();
        long[] exists = full;
        if (batch.rows() < b) {
          exists = new long[b];
          java.util.Arrays.fill(exists, 0, batch.rows(), 1L);
        }
        inputs.put("exists", RingTensor.vector(exists));
        LocalPredicates.putInputs(inputs, localMasks, plan.locals(), batches * b, b);
        for (String c : plan.readColumns()) {
          inputs.put("v:" + c, batch.values(c));
          Share v = batch.validity(c);
          if (v != null) inputs.put("n:" + c, v);
        }
        if (minmax) {
          inputs.put("sent:int", RingTensor.scalar(BatchProgram.MIN_SENTINEL));
          inputs.put("sent:fxp", RingTensor.scalar(BatchProgram.MIN_SENTINEL));
          for (int i = 0; i < mins.length; i++) {
            if (mins[i] != null) inputs.put("acc:min:" + i, mins[i]);
            if (maxs[i] != null) inputs.put("acc:max:" + i, maxs[i]);
          }
        }
        Outputs out = cp.run(inputs);
        sumsI = p.add(sumsI, secret(p, out, "sumsI"));
        if (sumsF != null) sumsF = p.add(sumsF, secret(p, out, "sumsF"));
        for (int i = 0; i < mins.length; i++) {
          if (mins[i] != null) mins[i] = secret(p, out, "min:" + i);
          if (maxs[i] != null) maxs[i] = secret(p, out, "max:" + i);
        }
        batches++;
      }
    }
    if (batches != plan.batches()) {
      throw new StoreIntegrityException(k, ShareFileFormat.partyDirName(k), "party " + k + " read " + batches + " batches, the plan has "
          + plan.batches());
    }
    GroupTotals totals = totals(plan, lay, sumsI, sumsF, mins, maxs);
    String explain = k == 0 ? cp.explain() : null;
    if (mode == Mode.REVEAL_TOTALS) return new PartyOutput(null, explain, batches, reveal(p, totals));
    SecureQuery q = plan.query();
    List<Row> rows = Finisher.finish(s, q, groupKeys, totals, receivers);
    return new PartyOutput(rows, explain, batches, null);
  }

  /**
   * A secret output as a share (an output that happens to be public, e.g. count(*) without a filter, is shared trivially; one
   * private to a party, e.g. count(*) under a filter its owner evaluated locally, is shared by that party).
   */
  private static Share secret(Protocol p, Outputs out, String name) {
    if (out.type(name).vis() instanceof Visibility.Secret) return out.share(name);
    if (out.type(name).vis() instanceof Visibility.Private pv) {
      return p.input(pv.party(), pv.party() == p.self() ? out.tensor(name) : null, out.type(name).shape());
    }
    return p.constant(out.tensor(name));
  }

  /** Every party's metadata digest equals this party's (the public metadata of all folders agrees). */
  private static void compareWithPeers(Link link, int parties, String digest) {
    byte[] mine = digest.getBytes(StandardCharsets.US_ASCII);
    int k = link.self();
    for (int p = 0; p < parties; p++) if (p != k) link.sendBytes(p, "spu.secret.metadata", mine);
    for (int p = 0; p < parties; p++) {
      if (p == k) continue;
      byte[] theirs = link.recvBytes(p, "spu.secret.metadata");
      if (!java.util.Arrays.equals(mine, theirs)) {
        throw new StoreIntegrityException(p, ShareFileFormat.partyDirName(p), "party " + p + "'s share store metadata differs from party "
            + k + "'s (schema, files, row counts or domains): the parties would read different tables");
      }
    }
  }

  private static Share column(Share m, int j) {
    return m.map(t -> {
      int rows = t.shape().dim(0), cols = t.shape().dim(1);
      long[] d = t.data(), out = new long[rows];
      for (int r = 0; r < rows; r++) out[r] = d[r * cols + j];
      return RingTensor.vector(out);
    });
  }

  static GroupTotals totals(SecretPlan plan, BatchProgram.Layout lay, Share sumsI, Share sumsF, Share[] mins, Share[] maxs) {
    Share rows = column(sumsI, lay.rowsColumn);
    List<GroupTotals.InputTotals> ins = new ArrayList<>();
    for (int i = 0; i < plan.inputs().size(); i++) {
      SecretPlan.InputSpec spec = plan.inputs().get(i);
      BatchProgram.InputLayout il = lay.inputs.get(i);
      Share count = il.countColumn < 0 ? rows : column(sumsI, il.countColumn);
      Share sum = il.sumColumn < 0 ? null : column(il.sumFixed ? sumsF : sumsI, il.sumColumn);
      Share sq = il.squaresColumn < 0 ? null : column(il.squaresFixed ? sumsF : sumsI, il.squaresColumn);
      ins.add(new GroupTotals.InputTotals(spec.expr(), spec.type(), il.encoding, count, sum, sq, mins[i], maxs[i], spec.maxCountBits()));
    }
    return new GroupTotals(lay.groups, rows, ins);
  }

  private static long[] open(Protocol p, Share s) {
    return s == null ? null : p.reveal(s).data();
  }

  private static Revealed reveal(Protocol p, GroupTotals t) {
    List<long[]> c = new ArrayList<>(), su = new ArrayList<>(), sq = new ArrayList<>(), mi = new ArrayList<>(), ma = new ArrayList<>();
    for (GroupTotals.InputTotals in : t.inputs()) {
      c.add(open(p, in.count()));
      su.add(open(p, in.sum()));
      sq.add(open(p, in.sumSquares()));
      mi.add(open(p, in.min()));
      ma.add(open(p, in.max()));
    }
    return new Revealed(open(p, t.rows()), c, su, sq, mi, ma);
  }
}

package org.sparkspu.spark.secret;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparkspu.spark.join.JoinManifest;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.store.StoreIntegrityException;
import org.sparkspu.spark.store.StoreMetadata;

/**
 * Local evaluation of single-owner predicates on a vertical (secure_join) store
 * (spark.spu.localEvaluation, default on).
 *
 * <p>Each owner of a joined store keeps its own columns of the joined rows in plaintext, in row
 * order ({@link JoinManifest#POS}). A predicate that reads only one owner's columns (a WHERE
 * conjunct, or a conjunct of a CASE WHEN condition, or the whole condition) therefore needs no
 * comparison on shares: the owner evaluates it on its plaintext rows with Spark's own SQL
 * semantics (TRUE -> 1; FALSE and NULL -> 0, as WHERE and CASE WHEN treat them) and the 0/1 mask
 * enters the batch program as the owner's private input {@code lm:<id>}. The engine's visibility
 * inference keeps every product of private values local to their owner; a private value becomes
 * secret (shared by its owner, one message merged into the round's call) only where it meets a
 * secret value. A GROUP BY column of one owner (a public domain of at most {@link #MAX_LOCAL_DOMAIN}
 * integers, decimals, dates or strings) is one-hot encoded by its owner the same way. A predicate
 * that mixes two owners' columns, or sits under OR / NOT (whose FALSE side the program also needs),
 * stays in MPC; so do aggregate inputs (they are read as shares).
 *
 * <p><b>Leakage</b>: unchanged. The owner computes the mask from rows it already holds in
 * plaintext and learns nothing new; the other parties receive only shares of the mask (fresh
 * random shares, like the owner's column shares in the store). Which predicates run locally
 * depends only on the query and the public manifest (who owns which column). Non-owners never read
 * an owner's private folder or mask files: party k's program reads only {@code
 * <root>/_spu_local-<run>-party-<k>}. Deployment note: the mask is computed by a Spark job over the
 * owner's private folder submitted from the driver, as secure_join's own writes of that folder are;
 * in the embedded deployment the driver hosts every party anyway.
 */
final class LocalPredicates {
  private LocalPredicates() {}

  /** Tests: told (party, folder) whenever a party's program opens mask files. */
  static volatile BiConsumer<Integer, String> onRead;

  /** The single-owner predicates of {@code q} that the batch program evaluates with needF = false. */
  static List<SecretPlan.LocalInput> find(SecureQuery q, List<JoinManifest.Group> groups) {
    Map<Expr, SecretPlan.LocalInput> out = new LinkedHashMap<>();
    if (q.filter() != null) pred(q.filter(), groups, out);
    for (AggCall a : q.aggregates()) if (a.input() != null) visit(a.input(), groups, out);
    return new ArrayList<>(out.values());
  }

  /** Domains up to this size are one-hot encoded by their owner (the index is stored in one byte per row). */
  static final int MAX_LOCAL_DOMAIN = 127;

  /**
   * The GROUP BY columns of {@code plan} held by one owner, with a public domain of at most
   * {@link #MAX_LOCAL_DOMAIN} values of an exactly comparable type (integers, decimals, dates,
   * strings): the owner computes each row's domain index and inputs the one-hot rows privately.
   */
  static List<SecretPlan.LocalInput> groupInputs(SecretPlan plan, StoreMetadata meta, List<JoinManifest.Group> groups, int firstId) {
    List<SecretPlan.LocalInput> out = new ArrayList<>();
    for (SecretPlan.GroupColumn gc : plan.groups()) {
      String c = gc.name();
      JoinManifest.Group g = owner(new Expr.Col(c), groups);
      String kind = meta.column(c).type().kind().name();
      List<Object> dom = meta.publicDomains().get(c);
      if (g == null || dom == null || dom.size() != gc.size() || dom.size() > MAX_LOCAL_DOMAIN) continue;
      List<Expr> conds = new ArrayList<>(), vals = new ArrayList<>();
      boolean ok = true;
      for (int j = 0; j < dom.size() && ok; j++) {
        Object v = dom.get(j);
        Expr.Lit lit = v == null ? null : switch (kind) {
          case "TINYINT", "SMALLINT", "INT", "BIGINT" -> Expr.Lit.of((Long) v);
          case "DECIMAL" -> Expr.Lit.of((java.math.BigDecimal) v);
          case "DATE" -> Expr.Lit.of((java.time.LocalDate) v);
          case "STRING" -> Expr.Lit.of((String) v);
          default -> null; // fixed point, booleans, timestamps: their one-hot stays in MPC
        };
        if (v != null && lit == null) ok = false;
        conds.add(v == null ? new Expr.IsNull(new Expr.Col(c), false) : new Expr.Cmp("=", new Expr.Col(c), lit));
        vals.add(Expr.Lit.of(j));
      }
      if (!ok) continue;
      Expr index = new Expr.CaseWhen(conds, vals, Expr.Lit.of(-1));
      out.add(new SecretPlan.LocalInput(firstId + out.size(), index, g.owner(), g.group(), g.folder(), c, dom.size()));
    }
    return out;
  }

  /**
   * The columns the batch program still reads as shares once {@code locals} are evaluated by their
   * owners (a column read only inside local predicates and one-hots is not read at all); mirrors
   * how {@link BatchProgram} walks the query. Never empty: the reader needs one column for the row count.
   */
  static List<String> sharedColumns(SecretPlan plan, List<SecretPlan.LocalInput> locals) {
    java.util.Set<Expr> preds = new java.util.HashSet<>();
    java.util.Set<String> onehots = new java.util.HashSet<>();
    for (SecretPlan.LocalInput l : locals) {
      if (l.groupColumn() == null) preds.add(l.expr());
      else onehots.add(l.groupColumn());
    }
    java.util.LinkedHashSet<String> cols = new java.util.LinkedHashSet<>();
    SecureQuery q = plan.query();
    if (q.filter() != null) predColumns(q.filter(), false, preds, cols);
    for (String g : q.groupBy()) if (!onehots.contains(g)) cols.add(g);
    for (AggCall a : q.aggregates()) if (a.input() != null) valueColumns(a.input(), preds, cols);
    List<String> out = new ArrayList<>();
    for (String c : plan.readColumns()) if (cols.contains(c)) out.add(c);
    if (out.isEmpty() && !plan.readColumns().isEmpty()) out.add(plan.readColumns().get(0));
    return out;
  }

  private static void predColumns(Expr e, boolean needF, java.util.Set<Expr> preds, java.util.Set<String> out) {
    if (!needF && preds.contains(e)) return;
    if (e instanceof Expr.And a) {
      predColumns(a.left(), needF, preds, out);
      predColumns(a.right(), needF, preds, out);
    } else if (e instanceof Expr.Or o) {
      predColumns(o.left(), true, preds, out);
      predColumns(o.right(), true, preds, out);
    } else if (e instanceof Expr.Not n) {
      predColumns(n.child(), true, preds, out);
    } else {
      valueColumns(e, preds, out);
    }
  }

  private static void valueColumns(Expr e, java.util.Set<Expr> preds, java.util.Set<String> out) {
    if (e instanceof Expr.CaseWhen w) {
      for (int i = 0; i < w.conditions().size(); i++) {
        predColumns(w.conditions().get(i), false, preds, out);
        valueColumns(w.values().get(i), preds, out);
      }
      if (w.otherwise() != null) valueColumns(w.otherwise(), preds, out);
    } else if (e instanceof Expr.Arith || e instanceof Expr.Cmp || e instanceof Expr.IsNull || e instanceof Expr.In) {
      for (Expr c : e.children()) valueColumns(c, preds, out);
    } else {
      out.addAll(e.columns()); // a column, a literal, or anything else: everything it reads
    }
  }

  /** A predicate in a context where only its TRUE side is needed (WHERE, CASE condition, AND under those). */
  private static void pred(Expr e, List<JoinManifest.Group> groups, Map<Expr, SecretPlan.LocalInput> out) {
    JoinManifest.Group g = owner(e, groups);
    if (g != null) {
      out.computeIfAbsent(e, x -> new SecretPlan.LocalInput(out.size(), x, g.owner(), g.group(), g.folder()));
    } else if (e instanceof Expr.And a) {
      pred(a.left(), groups, out);
      pred(a.right(), groups, out);
    } else {
      visit(e, groups, out);
    }
  }

  /** Any other expression: only the conditions of CASE WHENs inside it can be local. */
  private static void visit(Expr e, List<JoinManifest.Group> groups, Map<Expr, SecretPlan.LocalInput> out) {
    if (e instanceof Expr.CaseWhen w) {
      for (int i = 0; i < w.conditions().size(); i++) {
        pred(w.conditions().get(i), groups, out);
        visit(w.values().get(i), groups, out);
      }
      if (w.otherwise() != null) visit(w.otherwise(), groups, out);
    } else {
      for (Expr c : e.children()) visit(c, groups, out);
    }
  }

  /** The one group holding every column {@code e} reads, or null (no column, or several owners). */
  private static JoinManifest.Group owner(Expr e, List<JoinManifest.Group> groups) {
    List<String> cols = e.columns();
    if (cols.isEmpty()) return null;
    for (JoinManifest.Group g : groups) {
      if (g.secretColumns().containsAll(cols) && g.privateColumns().containsAll(cols)) return g;
    }
    return null;
  }

  /** The folder of party {@code party}'s masks of run {@code run}. */
  static Path partyDir(String root, String run, int party) {
    return new Path(root, run + "-party-" + party);
  }

  /**
   * Computes every local predicate's mask with Spark over its owner's private rows and writes them
   * to {@code <root>/<run>-party-<owner>/g<group>/part-<n>}: records (pos: long, one byte per
   * predicate of the group, in id order).
   */
  static void compute(SparkSession spark, String root, String run, List<SecretPlan.LocalInput> locals) {
    // One Spark job per owner group, submitted concurrently (independent reads of different folders) from
    // child threads, which inherit this thread's Spark local properties.
    List<Thread> jobs = new ArrayList<>();
    List<RuntimeException> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    for (List<SecretPlan.LocalInput> ls : byGroup(locals).values()) {
      Thread th = new Thread(() -> {
        try {
          computeGroup(spark, root, run, ls);
        } catch (RuntimeException e) {
          failed.add(e);
        }
      }, "spu-local-masks-party-" + ls.get(0).owner());
      th.setDaemon(true);
      th.start();
      jobs.add(th);
    }
    try {
      for (Thread th : jobs) th.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the owners computed their local masks", e);
    }
    if (!failed.isEmpty()) throw failed.get(0);
  }

  private static void computeGroup(SparkSession spark, String root, String run, List<SecretPlan.LocalInput> ls) {
    SecretPlan.LocalInput first = ls.get(0);
    Dataset<Row> rows = spark.read().parquet(new Path(root, first.folder()).toString());
    List<Column> sel = new ArrayList<>();
    sel.add(functions.col(JoinManifest.POS).cast("long"));
    for (SecretPlan.LocalInput l : ls) {
      String dflt = l.groupColumn() == null ? "false" : "-1";
      sel.add(functions.expr("CAST(COALESCE(" + l.expr().sql() + ", " + dflt + ") AS TINYINT)"));
    }
    String dir = new Path(partyDir(root, run, first.owner()), "g" + first.group()).toString();
    int k = ls.size();
    rows.select(sel.toArray(new Column[0])).javaRDD().foreachPartition(it -> {
      Path p = new Path(dir, "part-" + TaskContext.getPartitionId());
      FileSystem fs = p.getFileSystem(new Configuration());
      try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(fs.create(p, true), 1 << 16))) {
        while (it.hasNext()) {
          Row r = it.next();
          out.writeLong(r.getLong(0));
          for (int j = 0; j < k; j++) out.writeByte(r.getByte(j + 1));
        }
      }
    });
  }

  /**
   * Party {@code party}'s own masks (id -> one byte per row), read from its mask folder only;
   * every row must be present exactly once.
   */
  static Map<Integer, byte[]> load(String root, String run, int party, List<SecretPlan.LocalInput> locals, long totalRows) {
    Map<Integer, byte[]> masks = new TreeMap<>();
    if (run == null) return masks;
    List<SecretPlan.LocalInput> own = new ArrayList<>();
    for (SecretPlan.LocalInput l : locals) if (l.owner() == party) own.add(l);
    if (own.isEmpty()) return masks;
    int n = Math.toIntExact(totalRows);
    for (List<SecretPlan.LocalInput> ls : byGroup(own).values()) {
      Path dir = new Path(partyDir(root, run, party), "g" + ls.get(0).group());
      BiConsumer<Integer, String> hook = onRead;
      if (hook != null) hook.accept(party, dir.toString());
      byte[][] m = new byte[ls.size()][n];
      BitSet seen = new BitSet(n);
      String where = dir.getParent().getName() + "/" + dir.getName();
      try {
        FileSystem fs = dir.getFileSystem(new Configuration());
        for (FileStatus f : fs.listStatus(dir)) {
          if (!f.getPath().getName().startsWith("part-")) continue;
          try (FSDataInputStream raw = fs.open(f.getPath());
              DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            while (true) {
              long pos;
              try {
                pos = in.readLong();
              } catch (EOFException eof) {
                break;
              }
              if (pos < 0 || pos >= n || seen.get((int) pos)) {
                throw new StoreIntegrityException(party, where, "party " + party + "'s local mask file " + f.getPath().getName()
                    + " holds joined row " + pos + " out of range or twice (the store has " + n + " rows)");
              }
              seen.set((int) pos);
              for (byte[] x : m) x[(int) pos] = in.readByte();
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("party " + party + " cannot read its local masks at " + dir, e);
      }
      if (seen.cardinality() != n) {
        throw new StoreIntegrityException(party, where, "party " + party + "'s local masks cover " + seen.cardinality() + " of the "
            + n + " joined rows: its private folder does not match the store");
      }
      for (int j = 0; j < ls.size(); j++) masks.put(ls.get(j).id(), m[j]);
    }
    return masks;
  }

  /** The batch's slice [start, start + b) of a mask as ring values (padding rows 0). */
  static long[] slice(byte[] mask, long start, int b) {
    long[] v = new long[b];
    int s = (int) start;
    int len = (int) Math.min(b, mask.length - start);
    for (int i = 0; i < len; i++) v[i] = mask[s + i];
    return v;
  }

  /** The batch's one-hot row of domain index {@code j} from a group-index mask (padding rows 0). */
  static long[] onehotRow(byte[] index, long start, int b, int j) {
    long[] v = new long[b];
    int s = (int) start;
    int len = (int) Math.min(b, index.length - start);
    for (int i = 0; i < len; i++) v[i] = index[s + i] == j ? 1 : 0;
    return v;
  }

  /** Party {@code k}'s private inputs of the batch starting at row {@code start}. */
  static void putInputs(Map<String, Object> inputs, Map<Integer, byte[]> own, List<SecretPlan.LocalInput> locals, long start, int b) {
    for (SecretPlan.LocalInput l : locals) {
      byte[] m = own.get(l.id());
      if (m == null) continue;
      if (l.groupColumn() == null) inputs.put("lm:" + l.id(), org.sparkspu.engine.ring.RingTensor.vector(slice(m, start, b)));
      else {
        for (int j = 0; j < l.domainSize(); j++) {
          inputs.put("lh:" + l.id() + ":" + j, org.sparkspu.engine.ring.RingTensor.vector(onehotRow(m, start, b, j)));
        }
      }
    }
  }

  /** Deletes the run's mask folders. */
  static void delete(String root, String run, List<SecretPlan.LocalInput> locals) {
    for (SecretPlan.LocalInput l : locals) {
      Path p = partyDir(root, run, l.owner());
      try {
        p.getFileSystem(new Configuration()).delete(p, true);
      } catch (IOException e) {
        // best effort: a leftover folder holds only the owner's own masks, in the owner's store
      }
    }
  }

  private static Map<Integer, List<SecretPlan.LocalInput>> byGroup(List<SecretPlan.LocalInput> locals) {
    Map<Integer, List<SecretPlan.LocalInput>> m = new TreeMap<>();
    for (SecretPlan.LocalInput l : locals) m.computeIfAbsent(l.group(), x -> new ArrayList<>()).add(l);
    return m;
  }

  /** One line per local predicate, for explain and the query profile. */
  static String describe(List<SecretPlan.LocalInput> locals) {
    StringBuilder sb = new StringBuilder();
    for (SecretPlan.LocalInput l : locals) {
      if (l.groupColumn() != null) {
        sb.append(String.format("  local at party %d (plaintext rows of %s, private one-hot inputs lh:%d:0..%d): GROUP BY `%s` index %s%n",
            l.owner(), l.folder(), l.id(), l.domainSize() - 1, l.groupColumn(), l.expr().sql()));
      } else {
        sb.append(String.format("  local at party %d (plaintext rows of %s, private 0/1 input lm:%d): %s%n", l.owner(), l.folder(), l.id(),
            l.expr().sql()));
      }
    }
    return sb.toString();
  }
}

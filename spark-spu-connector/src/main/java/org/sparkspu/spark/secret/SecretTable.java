package org.sparkspu.spark.secret;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.arrow.ColumnEncoding;
import org.sparkspu.arrow.SecretColumn;
import org.sparkspu.engine.compiler.CompiledProgram;
import org.sparkspu.engine.compiler.Compiler;
import org.sparkspu.engine.runtime.Simulator;
import org.sparkspu.spark.exec.Finisher;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.ExprTypes;
import org.sparkspu.spark.plan.QueryProfile;
import org.sparkspu.spark.plan.QueryResult;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.runtime.MpcRun;
import org.sparkspu.spark.runtime.MpcRunner;
import org.sparkspu.spark.store.PublicDomain;
import org.sparkspu.spark.store.ShareStore;
import org.sparkspu.spark.store.StoreIntegrityException;
import org.sparkspu.spark.store.StoreMetadata;

/**
 * The "secret" layout: a share store ({@link ShareStore}) read by every party, filters and
 * aggregates row by row in MPC.
 *
 * <p>A query runs in one MPC session: party k reads only its own folder {@code <path>/party-<k>},
 * checks the file bindings and digests and that its metadata equals its peers', and streams its
 * shares batch by batch (spark.spu.batchRows rows, the last batch padded and masked by a public
 * row-exists vector) through ONE compiled engine program per batch (see {@link BatchProgram}:
 * filter mask, group one-hot masks against the public domains, per-group sums as one secret matrix
 * product, MIN/MAX by masked log-depth trees). The per-group statistics accumulate as shares; only
 * {@link Finisher} reveals anything: the aggregates of the groups with at least minGroupSize rows.
 *
 * <p><b>Leakage</b>: besides the revealed aggregates (and which groups were suppressed), the
 * parties learn only what is public anyway: the table's row count (hence the batch count), the
 * public domains of the GROUP BY columns (recorded at write time) and the query. Comparisons,
 * equalities and selections run on shares and reveal nothing; their pattern depends only on the
 * row count and the query.
 *
 * <p><b>Local evaluation</b> (spark.spu.localEvaluation, default true): on a secure_join output,
 * whose owners keep their own columns of the joined rows in plaintext, a predicate that reads only
 * one owner's columns (a WHERE conjunct, a CASE WHEN condition) and a GROUP BY column of one owner
 * are evaluated by that owner on its own rows and enter the batch program as its private 0/1
 * inputs; only their meeting with secret values costs communication. Same results, same leakage
 * (see {@link LocalPredicates}); explain and the query profile list them ("local at party k").
 *
 * <p><b>What can be computed</b>: comparisons (< <= > >= = <>), + - *, AND/OR/NOT, IS [NOT] NULL,
 * IN on numeric, date and timestamp columns (exact integers: decimals at their scale, aligned by
 * public powers of ten; doubles in fixed point with f fraction bits, truncated after products);
 * hashed STRING columns only in = / <> / IN against literals (or other string columns) and as GROUP
 * BY keys; GROUP BY only on columns with a public domain. Anything else is refused with a
 * {@link SpuQueryException} naming the column and why. Exactness holds while intermediate
 * integers stay below 2^62 in magnitude (sums below 2^63); comparisons of fixed-point values are
 * exact for the encoded values.
 */
public final class SecretTable implements SecureTable {
  private static final long serialVersionUID = 1L;
  /** Batch rows x groups stay below this (bounds the one-hot matrix per batch: 8 bytes per element and part). */
  static final int MAX_BATCH_ELEMENTS = 1 << 22;

  private final String path;
  private final StoreMetadata meta; // party 0's (the public part equals every party's)
  private final String publicDigest;

  private SecretTable(String path, StoreMetadata meta) {
    this.path = path;
    this.meta = meta;
    this.publicDigest = meta.publicDigest();
  }

  /** Opens the store at {@code path} (reads and checks each party's metadata; no rows). */
  public static SecretTable open(SparkSession spark, String path, SpuConf conf) {
    StoreMetadata[] m = new StoreMetadata[conf.parties()];
    for (int k = 0; k < conf.parties(); k++) {
      m[k] = StoreMetadata.read(path, k);
      if (m[k] == null) {
        throw new StoreIntegrityException(k, "party-" + k, "no share store for party " + k + " at " + path + " (spark.spu.parties = "
            + conf.parties() + ")");
      }
    }
    String d0 = m[0].publicDigest();
    for (int k = 1; k < m.length; k++) {
      if (!m[k].publicDigest().equals(d0)) {
        throw new StoreIntegrityException(k, "party-" + k, "party " + k + "'s share store metadata at " + path
            + " differs from party 0's (schema, files, row counts or domains)");
      }
    }
    if (!m[0].protocol().equals(conf.protocol()) || m[0].parties() != conf.parties()) {
      throw new SpuQueryException("the share store at " + path + " holds " + m[0].protocol() + " shares for " + m[0].parties()
          + " parties; the session is " + conf.protocol() + " with " + conf.parties() + " parties (spark.spu.protocol, spark.spu.parties)");
    }
    return new SecretTable(path, m[0]);
  }

  /** The store's path. */
  public String path() {
    return path;
  }

  /** Total rows (public). */
  public long rowCount() {
    return meta.totalRows();
  }

  /** Columns with a public domain (those a query may GROUP BY). */
  public Set<String> publicDomainColumns() {
    return meta.publicDomains().keySet();
  }

  @Override
  public StructType schema() {
    return meta.schema().sparkSchema();
  }

  @Override
  public String layout() {
    return "secret";
  }

  @Override
  public String describe() {
    return "secret table " + path + " (" + meta.totalRows() + " rows, " + meta.protocol() + " with " + meta.parties() + " parties)";
  }

  private SecretTyping typing() {
    return new SecretTyping(meta.schema(), meta.publicDomains().keySet());
  }

  @Override
  public void validate(SecureQuery query) {
    SecretTyping ty = typing();
    if (query.filter() != null) ty.checkPredicate(query.filter());
    Set<String> seen = new HashSet<>();
    for (String g : query.groupBy()) {
      ty.checkGroupBy(g);
      if (!seen.add(g)) throw new SpuQueryException(g, "column '" + g + "' appears twice in GROUP BY");
    }
    for (AggCall a : query.aggregates()) {
      if (a.input() == null) continue;
      if (a.input().columns().isEmpty()) {
        throw new SpuQueryException(a.kind().sqlName() + "(" + a.input().sql() + ") reads no column: aggregate a column of the table");
      }
      if (!(a.input() instanceof Expr.Col || a.input() instanceof Expr.Arith || a.input() instanceof Expr.CaseWhen)) {
        throw new SpuQueryException(SecretTyping.firstColumn(a.input()), "the input of " + a.kind().sqlName() + " (" + a.input().sql()
            + ") is a predicate: aggregate a column, an arithmetic expression or a CASE WHEN");
      }
      ty.checkAggregateInput(a);
    }
  }

  /** The query's plan: read columns, group domains and codes, inputs and their statistics, the batch shape. */
  SecretPlan plan(SpuConf conf, SecureQuery query, Function<Expr, DataType> typeOf) {
    validate(query);
    if (!meta.protocol().equals(conf.protocol()) || meta.parties() != conf.parties()) {
      throw new SpuQueryException("the secret table " + path + " holds " + meta.protocol() + " shares for " + meta.parties()
          + " parties; the session is " + conf.protocol() + " with " + conf.parties() + " parties");
    }
    LinkedHashSet<String> read = new LinkedHashSet<>();
    if (query.filter() != null) read.addAll(query.filter().columns());
    read.addAll(query.groupBy());
    for (AggCall a : query.aggregates()) if (a.input() != null) read.addAll(a.input().columns());
    for (String c : read) {
      SecretColumn col = meta.column(c);
      if (col.encoding().kind() == ColumnEncoding.Kind.FIXED_POINT && col.encoding().fractionBits() != conf.fractionBits()) {
        throw new SpuQueryException(c, "column '" + c + "' is stored in fixed point with " + col.encoding().fractionBits()
            + " fraction bits; the session uses " + conf.fractionBits() + " (spark.spu.fractionBits)");
      }
    }
    List<SecretPlan.GroupColumn> groups = new ArrayList<>();
    long g = 1;
    byte[] key = meta.hashKey();
    for (String c : query.groupBy()) {
      SecretColumn col = meta.column(c);
      List<Object> dom = meta.publicDomains().get(c);
      long[] codes = new long[dom.size()];
      boolean[] isNull = new boolean[dom.size()];
      Set<Long> distinct = new HashSet<>();
      for (int i = 0; i < dom.size(); i++) {
        isNull[i] = dom.get(i) == null;
        if (isNull[i]) continue;
        codes[i] = PublicDomain.ring(col, dom.get(i), key);
        if (!distinct.add(codes[i])) {
          throw new SpuQueryException(c, "two public domain values of column '" + c + "' have the same ring encoding (fixed-point values"
              + " closer than 2^-" + conf.fractionBits() + ", or a hash collision): the groups cannot be told apart");
        }
      }
      groups.add(new SecretPlan.GroupColumn(c, codes, isNull));
      g *= Math.max(1, dom.size());
    }
    if (g > MAX_BATCH_ELEMENTS) {
      throw new SpuQueryException(query.groupBy().get(0), "GROUP BY " + query.groupBy() + " has " + g + " key combinations: too many for the"
          + " secret layout (at most " + MAX_BATCH_ELEMENTS + ")");
    }
    // distinct aggregate inputs and the statistics their aggregates need
    List<Expr> exprs = new ArrayList<>();
    List<boolean[]> needs = new ArrayList<>(); // sum, squares, min, max; and whether a SUM, an AVG reads it
    for (AggCall a : query.aggregates()) {
      if (a.input() == null) continue;
      int i = exprs.indexOf(a.input());
      if (i < 0) {
        exprs.add(a.input());
        needs.add(new boolean[6]);
        i = exprs.size() - 1;
      }
      boolean[] n = needs.get(i);
      AggKind k = a.kind();
      n[0] |= k == AggKind.SUM || k == AggKind.AVG || k == AggKind.VAR_SAMP || k == AggKind.STDDEV_SAMP;
      n[1] |= k == AggKind.VAR_SAMP || k == AggKind.STDDEV_SAMP;
      n[2] |= k == AggKind.MIN;
      n[3] |= k == AggKind.MAX;
      n[4] |= k == AggKind.SUM;
      n[5] |= k == AggKind.AVG;
    }
    List<SecretPlan.InputSpec> inputs = new ArrayList<>();
    SecretTyping ty = typing();
    for (int i = 0; i < exprs.size(); i++) {
      boolean[] n = needs.get(i);
      Expr e = exprs.get(i);
      int limit = n[4] || n[5] ? SumRange.maxCountBits(e, n[5], ty, meta, conf.fractionBits(), meta.totalRows()) : SumRange.UNLIMITED;
      // VAR_SAMP: its own guard bounds n * sum of squares (and so the sum), provided the sum of squares did not wrap
      if (n[1]) limit = Math.min(limit, SumRange.maxCountBitsOfSquares(e, ty, meta, conf.fractionBits(), meta.totalRows()));
      // MIN/MAX of an expression (a column's values are encodable, so in range): refuse values that may wrap per row
      if ((n[2] || n[3]) && !(e instanceof Expr.Col) && SumRange.valueBits(e, ty, meta, conf.fractionBits()) > 61) {
        throw new SpuQueryException(SecretTyping.firstColumn(e), "secure_min/secure_max(" + e.sql() + "): with the largest values"
            + " written (public bit lengths) the expression may leave the 64-bit ring's range (2^62) row by row; rescale an operand");
      }
      inputs.add(new SecretPlan.InputSpec(e, typeOf.apply(e), n[0], n[1], n[2], n[3], limit));
    }
    int groupsCount = (int) g;
    int b = (int) Math.min(conf.batchRows(), Math.max(1, MAX_BATCH_ELEMENTS / groupsCount));
    b = (int) Math.max(1, Math.min(b, meta.totalRows()));
    return new SecretPlan(query, meta.schema(), conf.fractionBits(), b, meta.totalRows(), new ArrayList<>(read), groups, inputs);
  }

  /** The public key values of every group, first GROUP BY column slowest, as Spark external values. */
  List<List<Object>> groupKeys(SparkSession spark, SecureQuery query) {
    boolean java8 = spark != null && Boolean.parseBoolean(spark.conf().get("spark.sql.datetime.java8API.enabled", "false"));
    List<List<Object>> keys = new ArrayList<>();
    keys.add(new ArrayList<>());
    for (String c : query.groupBy()) {
      SecretColumn col = meta.column(c);
      List<List<Object>> next = new ArrayList<>();
      for (List<Object> prefix : keys) {
        for (Object v : meta.publicDomains().get(c)) {
          List<Object> k = new ArrayList<>(prefix);
          k.add(PublicDomain.external(col.type(), v, java8));
          next.add(k);
        }
      }
      keys = next;
    }
    return keys;
  }

  private static Function<Expr, DataType> sparkTypes(SparkSession spark, StructType schema) {
    return e -> ExprTypes.typeOf(spark, schema, e);
  }

  /**
   * {@code plan} with the single-owner predicates its owners evaluate locally, when the store is a
   * secure_join output and spark.spu.localEvaluation is on (see {@link LocalPredicates}).
   */
  SecretPlan withLocals(SparkSession spark, SecretPlan plan) {
    if (spark == null) return plan;
    boolean on = SpuConf.localEvaluation(k -> spark.conf().getOption(k).isDefined() ? spark.conf().getOption(k).get() : null);
    if (!on) return plan;
    List<org.sparkspu.spark.join.JoinManifest.Group> groups = org.sparkspu.spark.join.JoinManifest.read(path);
    if (groups == null) return plan;
    List<SecretPlan.LocalInput> locals = new ArrayList<>(LocalPredicates.find(plan.query(), groups));
    locals.addAll(LocalPredicates.groupInputs(plan, meta, groups, locals.size()));
    return locals.isEmpty() ? plan : plan.withLocals(locals, LocalPredicates.sharedColumns(plan, locals));
  }

  @Override
  public QueryResult execute(SparkSession spark, SpuConf conf, SecureQuery query, int[] receivers) {
    SecretPlan plan = withLocals(spark, plan(conf, query, sparkTypes(spark, schema())));
    List<List<Object>> keys = groupKeys(spark, query);
    double[] localSeconds = new double[1];
    MpcRun<SecretRun.PartyOutput> run = runParties(spark, conf, plan, SecretRun.Mode.FINISH, keys, receivers, localSeconds);
    List<org.apache.spark.sql.Row> rows = null;
    int[] rec = receivers == null || receivers.length == 0 ? null : receivers;
    for (int p = 0; p < conf.parties() && rows == null; p++) {
      if (rec == null || contains(rec, p)) rows = run.output(p).rows();
    }
    StructType resultSchema = Finisher.resultSchema(query, schema(), sparkTypes(spark, schema()));
    String program = "MPC at " + run.where() + "\n" + header(plan) + run.output(0).explain();
    QueryProfile profile = new QueryProfile("secret", conf.protocol(), conf.parties(), run.profile().total().rounds(),
        run.bytesSentPerParty(), run.seconds(), localSeconds[0], program, revealed(query, plan, receivers));
    return new QueryResult(resultSchema, rows == null ? List.of() : rows, profile);
  }

  /** Tests: runs the query up to its GroupTotals and reveals them (raw ring values per group). */
  SecretRun.Revealed revealTotals(SparkSession spark, SpuConf conf, SecureQuery query) {
    SecretPlan plan = withLocals(spark, plan(conf, query, sparkTypes(spark, schema())));
    return runParties(spark, conf, plan, SecretRun.Mode.REVEAL_TOTALS, groupKeys(spark, query), null, new double[1]).output(0).revealed();
  }

  /** The plan a query would run with (tests and explain). */
  SecretPlan planFor(SparkSession spark, SpuConf conf, SecureQuery query) {
    return plan(conf, query, sparkTypes(spark, schema()));
  }

  private MpcRun<SecretRun.PartyOutput> runParties(SparkSession spark, SpuConf conf, SecretPlan plan, SecretRun.Mode mode,
      List<List<Object>> keys, int[] receivers, double[] localSeconds) {
    // Local predicates: each owner's masks, from its own private rows, into its own folder of this run.
    String localRun = plan.locals().isEmpty() ? null : "_spu_local-" + java.util.UUID.randomUUID();
    try {
      long t0 = System.nanoTime();
      if (localRun != null) LocalPredicates.compute(spark, path, localRun, plan.locals());
      localSeconds[0] = (System.nanoTime() - t0) / 1e9;
      List<SecretRun.PartyInput> inputs = new ArrayList<>();
      for (int k = 0; k < conf.parties(); k++) inputs.add(new SecretRun.PartyInput(path, k, publicDigest, localRun));
      int[] rec = receivers == null ? null : receivers.clone();
      return MpcRunner.run(spark, conf, inputs, (session, in) -> SecretRun.run(session, in, plan, mode, keys, rec));
    } finally {
      if (localRun != null) LocalPredicates.delete(path, localRun, plan.locals());
    }
  }

  private static boolean contains(int[] a, int x) {
    for (int v : a) if (v == x) return true;
    return false;
  }

  @Override
  public String explain(SparkSession spark, SpuConf conf, SecureQuery query) {
    SecretPlan plan = withLocals(spark, plan(conf, query, sparkTypes(spark, schema())));
    byte[] key = meta.hashKey();
    // Compile at party 0 of a throw-away in-memory session: the compiler needs the protocol's cost formulas only.
    var r = Simulator.run(conf.sessionConfig(), s -> {
      if (s.self() != 0) return null;
      BatchProgram.Built built = BatchProgram.build(plan, key);
      return Compiler.compile(built.program(), s.protocol(), s.fixedPoint());
    });
    CompiledProgram cp = r.output(0);
    long batches = plan.batches();
    StringBuilder sb = new StringBuilder(header(plan));
    sb.append(cp.explain());
    sb.append(String.format("expected for %d batches: %d rounds, %d bytes sent by all parties (plus session setup, the metadata"
        + " check and the finish)%n", batches, batches * cp.rounds(), batches * cp.expectedCost().bytes()));
    sb.append("revealed: ").append(revealed(query, plan, null)).append('\n');
    return sb.toString();
  }

  private String header(SecretPlan plan) {
    StringBuilder groups = new StringBuilder();
    for (SecretPlan.GroupColumn g : plan.groups()) groups.append(groups.length() == 0 ? "" : " x ").append(g.name()).append(" (").append(g.size()).append(')');
    return String.format("secret table %s: %d rows, %s with %d parties%n  query: %s%n  reads %s; %d batches of %d rows (the last padded);"
            + " %d groups%s%nper-batch program (run %d times):%n",
        path, meta.totalRows(), meta.protocol(), meta.parties(), plan.query().describe("secret"), plan.readColumns(), plan.batches(),
        plan.batchRows(), plan.groupCount(), groups.length() == 0 ? "" : " = " + groups, plan.batches())
        .replace("per-batch program", LocalPredicates.describe(plan.locals()) + "per-batch program");
  }

  private static String revealed(SecureQuery q, SecretPlan plan, int[] receivers) {
    String to = receivers == null || receivers.length == 0 ? "every party" : "parties " + java.util.Arrays.toString(receivers);
    StringBuilder aggs = new StringBuilder();
    for (AggCall a : q.aggregates()) aggs.append(aggs.length() == 0 ? "" : ", ").append(a);
    return "to " + to + ": " + (q.groupBy().isEmpty() ? "the aggregates (" + aggs + ") if at least " + q.minGroupSize() + " rows pass the filter"
        : "for each of the " + plan.groupCount() + " public key combinations of " + q.groupBy() + " with at least " + q.minGroupSize()
            + " rows, its key and aggregates (" + aggs + "); smaller groups are suppressed (their absence is visible)")
        + ". Public beforehand: the row count (" + plan.totalRows() + "), the public domains of the GROUP BY columns, the query.";
  }

  @Override
  public String toString() {
    return describe();
  }
}

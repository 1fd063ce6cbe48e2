package org.sparkspu.spark.horizontal;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Profile;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.spark.exec.Finisher;
import org.sparkspu.spark.exec.GroupTotals;
import org.sparkspu.spark.exec.NumericEncoding;
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
import org.sparkspu.spark.runtime.PartyProgram;

/**
 * The "horizontal" layout: party p holds {@code partyTables.get(p)}, all with the same schema. Each
 * party filters and pre-aggregates its own rows in plaintext; only the partials enter MPC.
 *
 * <h2>How a query runs</h2>
 * <ol>
 * <li>Locally, by Spark, on each party's own DataFrame: {@code WHERE filter GROUP BY keys} with
 * count(*) and, per distinct aggregate input e, count(e), the exact sum of e (integers and decimals
 * as unscaled longs at e's scale; DOUBLE/FLOAT as the sum of per-row fixed-point encodings
 * round(e 2^f)), the sum of squares (scale 2s; fixed point: per-row floor(enc^2 / 2^f)), min(e) and
 * max(e), each only where an aggregate needs it. This is the only collect, and it is of per-group
 * statistics, not of rows.
 * <li>The group key list becomes public: the sorted union of the parties' keys (NULL keys are one
 * group, as in SQL).
 * <li>One MPC session: every party inputs its partials, aligned to the public key list (zeros and
 * the sentinels +-2^62 where it has no rows), all owners in ONE input exchange; sums are added
 * locally; min and max are combined over the parties by a secure tree (one vectorised comparison
 * and one select per level); then {@link Finisher} suppresses groups under the minimum size and
 * reveals the results to the receivers. No party's plaintext partials are ever combined with
 * another's outside MPC.
 * </ol>
 *
 * <h2>Leakage</h2>
 * Beyond what {@link Finisher} reveals (which groups have at least k rows; the result rows to the
 * receivers): each party's set of distinct group keys after the filter is revealed to every other
 * party (it becomes the public key list). Nothing else: counts, sums, min and max of each party stay
 * in its own process until they are secret-shared.
 *
 * <h2>Limits</h2>
 * Sums and sums of squares of one party must be below 2^62 / parties (so that their total fits the
 * ring); min/max values below 2^62 in magnitude; DOUBLE values below 2^(62-f) in magnitude (and NaN
 * and infinity are refused). Violations fail with a {@link SpuQueryException} naming the party and
 * the column, never a value.
 */
public final class HorizontalTable implements SecureTable {
  private static final long serialVersionUID = 1L;
  private static final long SENTINEL = 1L << 62;

  private final String name;
  private final transient List<Dataset<Row>> partyTables;
  private final StructType schema;

  public HorizontalTable(String name, List<Dataset<Row>> partyTables) {
    if (partyTables == null || partyTables.isEmpty()) throw new IllegalArgumentException("a horizontal table needs at least one party table");
    this.name = name == null ? "horizontal" : name;
    this.partyTables = List.copyOf(partyTables);
    this.schema = commonSchema(this.partyTables);
  }

  /** The schema every party's table must have (names and types; nullability may differ). */
  private static StructType commonSchema(List<Dataset<Row>> tables) {
    StructType first = tables.get(0).schema();
    for (int p = 1; p < tables.size(); p++) {
      StructType s = tables.get(p).schema();
      for (StructField f : first.fields()) {
        if (!Arrays.asList(s.fieldNames()).contains(f.name())) {
          throw new SpuQueryException(f.name(), "party " + p + "'s table has no column '" + f.name() + "' (party 0's has)");
        }
        DataType t = s.apply(f.name()).dataType();
        if (!t.sameType(f.dataType())) {
          throw new SpuQueryException(f.name(), "column '" + f.name() + "' is " + t.simpleString() + " at party " + p + " but "
              + f.dataType().simpleString() + " at party 0");
        }
      }
      for (String c : s.fieldNames()) {
        if (!Arrays.asList(first.fieldNames()).contains(c)) throw new SpuQueryException(c, "party " + p + "'s table has a column '" + c + "' that party 0's lacks");
      }
    }
    StructType common = new StructType();
    for (StructField f : first.fields()) common = common.add(f.name(), f.dataType(), true);
    return common;
  }

  @Override
  public StructType schema() {
    return schema;
  }

  @Override
  public String layout() {
    return "horizontal";
  }

  @Override
  public String describe() {
    return "horizontal table '" + name + "' (" + (partyTables == null ? "?" : partyTables.size()) + " parties)";
  }

  public int parties() {
    return partyTables.size();
  }

  // ---------------------------------------------------------------------------------------------
  // planning

  /** One distinct aggregate input and the statistics the query needs of it. */
  record InputPlan(Expr expr, DataType type, NumericEncoding encoding, boolean sum, boolean squares, boolean min, boolean max)
      implements Serializable {
    String label() {
      return expr instanceof Expr.Col c ? c.name() : expr.sql();
    }
  }

  /** The query's statistics layout: rows, then per input count [sum] [squares] [min] [max]. */
  record Plan(List<InputPlan> inputs, int stats) implements Serializable {
    static Plan of(List<InputPlan> inputs) {
      int s = 1;
      for (InputPlan in : inputs) s += 1 + (in.sum ? 1 : 0) + (in.squares ? 1 : 0) + (in.min ? 1 : 0) + (in.max ? 1 : 0);
      return new Plan(List.copyOf(inputs), s);
    }
  }

  private SparkSession spark() {
    return partyTables.get(0).sparkSession();
  }

  @Override
  public void validate(SecureQuery query) {
    plan(query, SpuConf.defaults().fractionBits());
  }

  private static boolean integral(DataType t) {
    return t.equals(DataTypes.ByteType) || t.equals(DataTypes.ShortType) || t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType);
  }

  private static boolean floating(DataType t) {
    return t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType);
  }

  private static boolean numeric(DataType t) {
    return integral(t) || floating(t) || t instanceof DecimalType;
  }

  /** Checks the query against the schema and lays out its statistics. */
  Plan plan(SecureQuery query, int fractionBits) {
    for (String g : query.groupBy()) {
      if (!Arrays.asList(schema.fieldNames()).contains(g)) {
        throw new SpuQueryException(g, "GROUP BY column '" + g + "' is not in " + describe() + " (columns: " + String.join(", ", schema.fieldNames()) + ")");
      }
      DataType t = schema.apply(g).dataType();
      if (!(numeric(t) || t.equals(DataTypes.StringType) || t.equals(DataTypes.BooleanType) || t.equals(DataTypes.DateType)
          || t.equals(DataTypes.TimestampType))) {
        throw new SpuQueryException(g, "GROUP BY column '" + g + "' has type " + t.simpleString()
            + ", which cannot be a public group key (numbers, strings, booleans, dates and timestamps can)");
      }
    }
    SparkSession spark = spark();
    if (query.filter() != null) {
      DataType ft = typeOf(spark, query.filter());
      if (!ft.equals(DataTypes.BooleanType)) {
        throw new SpuQueryException(query.filter().columns().isEmpty() ? null : query.filter().columns().get(0),
            "the filter " + query.filter().sql() + " is " + ft.simpleString() + ", not boolean");
      }
    }
    List<Expr> exprs = new ArrayList<>();
    for (AggCall a : query.aggregates()) if (a.input() != null && !exprs.contains(a.input())) exprs.add(a.input());
    List<InputPlan> ins = new ArrayList<>();
    for (Expr e : exprs) {
      DataType t = typeOf(spark, e);
      boolean sum = false, sq = false, min = false, max = false;
      for (AggCall a : query.aggregates()) {
        if (!e.equals(a.input())) continue;
        String col = e instanceof Expr.Col c ? c.name() : e.sql();
        AggKind k = a.kind();
        boolean ok = switch (k) {
          case COUNT, COUNT_STAR -> true;
          case SUM, AVG -> numeric(t);
          case VAR_SAMP, STDDEV_SAMP -> numeric(t) && !(t instanceof DecimalType d && d.precision() > 18);
          case MIN, MAX -> numeric(t) || t.equals(DataTypes.DateType) || t.equals(DataTypes.TimestampType);
        };
        if (!ok) {
          String why = (k == AggKind.VAR_SAMP || k == AggKind.STDDEV_SAMP) && t instanceof DecimalType
              ? "decimals of more than 18 digits are not supported (cast to DOUBLE)"
              : k == AggKind.MIN || k == AggKind.MAX ? "only numbers, dates and timestamps are supported"
              : "only numeric inputs are supported";
          throw new SpuQueryException(col, k.sqlName() + "(" + e.sql() + "): input type " + t.simpleString() + " is not supported: " + why);
        }
        sum |= k == AggKind.SUM || k == AggKind.AVG || k == AggKind.VAR_SAMP || k == AggKind.STDDEV_SAMP;
        sq |= k == AggKind.VAR_SAMP || k == AggKind.STDDEV_SAMP;
        min |= k == AggKind.MIN;
        max |= k == AggKind.MAX;
      }
      NumericEncoding enc = floating(t) ? NumericEncoding.fixed(fractionBits)
          : t instanceof DecimalType d ? NumericEncoding.integer(d.scale()) : NumericEncoding.integer(0);
      ins.add(new InputPlan(e, t, enc, sum, sq, min, max));
    }
    return Plan.of(ins);
  }

  private DataType typeOf(SparkSession spark, Expr e) {
    try {
      return ExprTypes.typeOf(spark, schema, e);
    } catch (SpuQueryException x) {
      throw x;
    } catch (RuntimeException x) {
      throw new SpuQueryException(e.columns().isEmpty() ? null : e.columns().get(0), "cannot analyse " + e.sql() + " on " + describe()
          + ": " + x.getClass().getSimpleName());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the local (plaintext, own-data) step

  /** One statistic's Spark SQL aggregate over a party's own rows. */
  record Stat(String label, String sql) {}

  private static String dbl(double v) {
    return Double.toString(v) + "D";
  }

  /** The aggregates each party computes on its own rows, in the plan's statistics order (plus range checks). */
  static List<Stat> stats(Plan plan, int fractionBits) {
    List<Stat> out = new ArrayList<>();
    out.add(new Stat("rows", "count(1)"));
    for (InputPlan in : plan.inputs()) {
      String e = in.expr().sql();
      DataType t = in.type();
      out.add(new Stat("count", "count(" + e + ")"));
      if (floating(t)) {
        String d = "CAST(" + e + " AS DOUBLE)";
        String enc = "(CASE WHEN abs(" + d + ") < " + dbl(Math.scalb(1.0, 62 - fractionBits)) + " THEN CAST(rint(" + d + " * "
            + dbl(Math.scalb(1.0, fractionBits)) + ") AS BIGINT) END)";
        String wide = "CAST(" + enc + " AS DECIMAL(20,0))";
        if (in.sum()) out.add(new Stat("sum", "try_sum(" + enc + ")"));
        if (in.squares()) {
          out.add(new Stat("squares", "try_sum(CAST(floor((" + wide + " * " + wide + ") / " + (1L << fractionBits) + ") AS DECIMAL(38,0)))"));
        }
        if (in.min()) out.add(new Stat("min", "min(" + enc + ")"));
        if (in.max()) out.add(new Stat("max", "max(" + enc + ")"));
        out.add(new Stat("unencodable", "count_if(" + e + " IS NOT NULL AND NOT (abs(" + d + ") < "
            + dbl(Math.scalb(1.0, 62 - fractionBits)) + "))"));
      } else {
        String exact = integral(t) ? "CAST(" + e + " AS DECIMAL(20,0))" : e;
        if (in.sum()) out.add(new Stat("sum", "try_sum(" + exact + ")"));
        if (in.squares()) out.add(new Stat("squares", "try_sum(" + exact + " * " + exact + ")"));
        String ord = t.equals(DataTypes.DateType) ? "unix_date(" + e + ")" : t.equals(DataTypes.TimestampType) ? "unix_micros(" + e + ")"
            : integral(t) ? "CAST(" + e + " AS BIGINT)" : e;
        if (in.min()) out.add(new Stat("min", "min(" + ord + ")"));
        if (in.max()) out.add(new Stat("max", "max(" + ord + ")"));
      }
    }
    return out;
  }

  /** The SQL party p runs on its own rows (for explain; execute builds the same with the DataFrame API). */
  static String localSql(SecureQuery query, List<Stat> stats, String table) {
    String keys = query.groupBy().stream().map(g -> new Expr.Col(g).sql()).collect(Collectors.joining(", "));
    String aggs = stats.stream().map(Stat::sql).collect(Collectors.joining(", "));
    return "SELECT " + (keys.isEmpty() ? "" : keys + ", ") + aggs + " FROM " + table + (query.filter() == null ? "" : " WHERE " + query.filter().sql())
        + (keys.isEmpty() ? "" : " GROUP BY " + keys);
  }

  /** Party p's per-group statistics, collected (one row per group of its own, after the filter). */
  private List<Row> localAggregate(int party, SecureQuery query, List<Stat> stats) {
    Dataset<Row> df = partyTables.get(party);
    if (query.filter() != null) df = df.where(query.filter().sql());
    Column[] aggs = new Column[stats.size()];
    for (int i = 0; i < aggs.length; i++) aggs[i] = functions.expr(stats.get(i).sql()).as("s" + i);
    Dataset<Row> out;
    if (query.groupBy().isEmpty()) {
      out = df.agg(aggs[0], Arrays.copyOfRange(aggs, 1, aggs.length));
    } else {
      Column[] keys = query.groupBy().stream().map(g -> functions.col(new Expr.Col(g).sql())).toArray(Column[]::new);
      out = df.groupBy(keys).agg(aggs[0], Arrays.copyOfRange(aggs, 1, aggs.length));
    }
    return out.collectAsList();
  }

  /** Every party's local step, run as concurrent Spark jobs (the parties work independently). */
  private List<List<Row>> localAggregates(SecureQuery query, List<Stat> stats) {
    int parties = partyTables.size();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parties, r -> {
      Thread t = new Thread(r, "spu-horizontal-local");
      t.setDaemon(true);
      return t;
    });
    try {
      List<java.util.concurrent.Future<List<Row>>> fs = new ArrayList<>();
      for (int p = 0; p < parties; p++) {
        final int party = p;
        fs.add(pool.submit(() -> localAggregate(party, query, stats)));
      }
      List<List<Row>> out = new ArrayList<>(parties);
      for (java.util.concurrent.Future<List<Row>> f : fs) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) throw re;
          throw new IllegalStateException(e.getCause());
        }
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the parties aggregated their rows", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Orders group keys as SQL's ORDER BY ... ASC NULLS FIRST does for one type per position. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static final Comparator<List<Object>> KEY_ORDER = (a, b) -> {
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i), y = b.get(i);
      if (x == null || y == null) {
        if (x != y) return x == null ? -1 : 1;
        continue;
      }
      int c = x instanceof Comparable && x.getClass() == y.getClass() ? ((Comparable) x).compareTo(y) : x.toString().compareTo(y.toString());
      if (c != 0) return c;
    }
    return 0;
  };

  /** A party's statistic as a ring value; range errors name the party and the column, never the value. */
  private static long toRing(Object v, int party, InputPlan in, String stat, int parties) {
    BigInteger x;
    if (v instanceof BigDecimal d) {
      int scale = stat.equals("squares") ? 2 * in.encoding().scale() : in.encoding().fixedPoint() ? 0 : in.encoding().scale();
      try {
        x = d.setScale(scale).unscaledValue();
      } catch (ArithmeticException e) {
        throw new SpuQueryException(in.label(), "party " + party + ": the " + stat + " of " + in.label() + " is not exact at scale " + scale);
      }
    } else {
      x = BigInteger.valueOf(((Number) v).longValue());
    }
    boolean additive = stat.equals("sum") || stat.equals("squares");
    BigInteger limit = additive ? BigInteger.ONE.shiftLeft(62).divide(BigInteger.valueOf(parties)) : BigInteger.ONE.shiftLeft(62);
    if (x.abs().compareTo(limit) >= 0) {
      throw new SpuQueryException(in.label(), "party " + party + ": the " + stat + " of " + in.label() + " is outside the 64-bit ring's range ("
          + (additive ? "a party's sum must stay below 2^62 / " + parties + " parties" : "values must stay below 2^62") + "); rescale the column");
    }
    return x.longValueExact();
  }

  // ---------------------------------------------------------------------------------------------
  // execution

  @Override
  public QueryResult execute(SparkSession spark, SpuConf conf, SecureQuery query, int[] receivers) {
    int parties = partyTables.size();
    if (conf.parties() != parties) {
      throw new SpuQueryException(describe() + " has " + parties + " party tables but spark.spu.parties is " + conf.parties());
    }
    int f = conf.fractionBits();
    Plan plan = plan(query, f);
    List<Stat> stats = stats(plan, f);
    StructType resultSchema = resultSchema(query);

    // 1. local, in plaintext, each party on its own rows
    long t0 = System.nanoTime();
    List<List<Row>> local = localAggregates(query, stats);
    int nk = query.groupBy().size();

    // 2. the public group list: the sorted union of the parties' keys
    TreeMap<List<Object>, Integer> union = new TreeMap<>(KEY_ORDER);
    for (List<Row> rows : local) {
      for (Row r : rows) {
        List<Object> k = new ArrayList<>(nk);
        for (int i = 0; i < nk; i++) k.add(r.get(i));
        union.putIfAbsent(k, 0);
      }
    }
    List<List<Object>> keys = new ArrayList<>();
    for (List<Object> k : union.keySet()) {
      union.put(k, keys.size());
      keys.add(java.util.Collections.unmodifiableList(new ArrayList<>(k)));
    }
    int groups = keys.size();
    List<long[]> inputs = new ArrayList<>(parties);
    for (int p = 0; p < parties; p++) inputs.add(partials(p, local.get(p), union, plan, stats, nk, groups, parties));
    double localSeconds = (System.nanoTime() - t0) / 1e9;

    String revealed = revealedStatement(query, receivers, parties);
    if (groups == 0) { // GROUP BY over no rows at all: nothing to compute, the empty key list is public
      QueryProfile prof = new QueryProfile("horizontal", conf.protocol(), parties, 0, new long[parties], 0, localSeconds,
          "no groups: no MPC", revealed);
      return new QueryResult(resultSchema, List.of(), prof);
    }

    // 3. one MPC session
    Program program = new Program(plan, query, keys, receivers);
    MpcRun<List<Row>> run = MpcRunner.run(spark, conf, inputs, program);
    List<Row> rows = null;
    for (int p = 0; p < parties && rows == null; p++) rows = run.output(p);
    Profile prof = run.profile();
    QueryProfile qp = new QueryProfile("horizontal", conf.protocol(), parties, prof.total().rounds(), run.bytesSentPerParty(),
        run.seconds(), localSeconds, "MPC at " + run.where() + ", " + groups + " public groups:\n" + prof.table(), revealed);
    return new QueryResult(resultSchema, rows == null ? List.of() : rows, qp);
  }

  /** The result schema of {@code query} on this table. */
  public StructType resultSchema(SecureQuery query) {
    SparkSession spark = spark();
    return Finisher.resultSchema(query, schema, e -> typeOf(spark, e));
  }

  /** Party p's statistics aligned to the public group list: long[stats * groups], statistic-major. */
  private static long[] partials(int party, List<Row> rows, Map<List<Object>, Integer> union, Plan plan, List<Stat> stats, int nk,
      int groups, int parties) {
    long[] out = new long[plan.stats() * groups];
    // defaults where the party has no rows: zero, min +2^62, max -2^62
    int s = 1;
    for (InputPlan in : plan.inputs()) {
      s += 1 + (in.sum() ? 1 : 0) + (in.squares() ? 1 : 0);
      if (in.min()) {
        Arrays.fill(out, s * groups, (s + 1) * groups, SENTINEL);
        s++;
      }
      if (in.max()) {
        Arrays.fill(out, s * groups, (s + 1) * groups, -SENTINEL);
        s++;
      }
    }
    for (Row r : rows) {
      List<Object> k = new ArrayList<>(nk);
      for (int i = 0; i < nk; i++) k.add(r.get(i));
      int g = union.get(k);
      int col = nk; // index into the collected row
      out[g] = r.getLong(col++);
      int stat = 1;
      for (InputPlan in : plan.inputs()) {
        long count = r.getLong(col++);
        out[(stat++) * groups + g] = count;
        String[] names = {"sum", "squares", "min", "max"};
        boolean[] has = {in.sum(), in.squares(), in.min(), in.max()};
        for (int j = 0; j < 4; j++) {
          if (!has[j]) continue;
          Object v = r.get(col++);
          if (v == null) {
            if (count > 0) {
              throw new SpuQueryException(in.label(), "party " + party + ": the " + names[j] + " of " + in.label()
                  + " overflows Spark's decimal range; rescale the column");
            }
            // no values: keep the default
          } else {
            out[stat * groups + g] = toRing(v, party, in, names[j], parties);
          }
          stat++;
        }
        if (floating(in.type())) {
          long bad = r.getLong(col++);
          if (bad > 0) {
            throw new SpuQueryException(in.label(), "party " + party + ": " + bad + " value(s) of " + in.label()
                + " are NaN, infinite or outside the fixed-point range |x| < 2^" + (62 - in.encoding().fractionBits()));
          }
        }
      }
    }
    return out;
  }

  /** Every party's program: input the partials (one exchange), combine, finish. */
  static final class Program implements PartyProgram<long[], List<Row>> {
    private static final long serialVersionUID = 1L;
    final Plan plan;
    final SecureQuery query;
    final List<List<Object>> keys;
    final int[] receivers;

    Program(Plan plan, SecureQuery query, List<List<Object>> keys, int[] receivers) {
      this.plan = plan;
      this.query = query;
      this.keys = new ArrayList<>(keys);
      this.receivers = receivers == null ? null : receivers.clone();
    }

    @Override
    public List<Row> run(Session session, long[] mine) {
      Protocol p = session.protocol();
      int parties = p.parties(), groups = keys.size(), len = plan.stats() * groups;
      int[] owners = new int[parties];
      RingTensor[] vals = new RingTensor[parties];
      Shape[] shapes = new Shape[parties];
      for (int i = 0; i < parties; i++) {
        owners[i] = i;
        shapes[i] = Shape.vector(len);
        vals[i] = i == p.self() ? RingTensor.vector(mine) : null;
      }
      List<Share> in = p.inputs(owners, vals, shapes);
      Share total = in.get(0);
      for (int i = 1; i < parties; i++) total = p.add(total, in.get(i));

      // min and max over parties by a tree: each level one comparison call and one select call
      List<int[]> mins = new ArrayList<>(), maxs = new ArrayList<>(); // [input index, stat index]
      int s = 1;
      for (int i = 0; i < plan.inputs().size(); i++) {
        InputPlan ip = plan.inputs().get(i);
        s += 1 + (ip.sum() ? 1 : 0) + (ip.squares() ? 1 : 0);
        if (ip.min()) mins.add(new int[] {i, s++});
        if (ip.max()) maxs.add(new int[] {i, s++});
      }
      Share[] minOf = new Share[plan.inputs().size()], maxOf = new Share[plan.inputs().size()];
      if (!mins.isEmpty() || !maxs.isEmpty()) {
        List<Share> cur = new ArrayList<>(); // per party: [mins..., maxs...] concatenated
        for (Share party : in) {
          List<Share> parts = new ArrayList<>();
          for (int[] m : mins) parts.add(slice(party, m[1], groups));
          for (int[] m : maxs) parts.add(slice(party, m[1], groups));
          cur.add(Share.concat(parts));
        }
        int nMin = mins.size() * groups, width = (mins.size() + maxs.size()) * groups;
        while (cur.size() > 1) {
          List<Share> lefts = new ArrayList<>(), rights = new ArrayList<>(), as = new ArrayList<>(), bs = new ArrayList<>();
          for (int k = 0; k + 1 < cur.size(); k += 2) {
            Share a = cur.get(k), b = cur.get(k + 1);
            // min part: [a < b]; max part: [b < a]; then c ? a : b
            lefts.add(Share.concat(List.of(part(a, 0, nMin), part(b, nMin, width))));
            rights.add(Share.concat(List.of(part(b, 0, nMin), part(a, nMin, width))));
            as.add(a);
            bs.add(b);
          }
          Share c = p.lessThan(Share.concat(lefts), Share.concat(rights));
          List<Shape> shapes2 = java.util.Collections.nCopies(as.size(), Shape.vector(width));
          List<Share> picked = p.select(c, Share.concat(as), Share.concat(bs)).split(shapes2);
          List<Share> next = new ArrayList<>(picked);
          if (cur.size() % 2 == 1) next.add(cur.get(cur.size() - 1));
          cur = next;
        }
        Share mm = cur.get(0);
        for (int k = 0; k < mins.size(); k++) minOf[mins.get(k)[0]] = part(mm, k * groups, (k + 1) * groups);
        for (int k = 0; k < maxs.size(); k++) maxOf[maxs.get(k)[0]] = part(mm, nMin + k * groups, nMin + (k + 1) * groups);
      }

      List<GroupTotals.InputTotals> ins = new ArrayList<>();
      s = 1;
      for (int i = 0; i < plan.inputs().size(); i++) {
        InputPlan ip = plan.inputs().get(i);
        Share count = slice(total, s++, groups);
        Share sum = ip.sum() ? slice(total, s++, groups) : null;
        Share sq = ip.squares() ? slice(total, s++, groups) : null;
        if (ip.min()) s++;
        if (ip.max()) s++;
        ins.add(new GroupTotals.InputTotals(ip.expr(), ip.type(), ip.encoding(), count, sum, sq, minOf[i], maxOf[i]));
      }
      GroupTotals totals = new GroupTotals(groups, slice(total, 0, groups), ins);
      return Finisher.finish(session, query, keys, totals, receivers);
    }

    private static Share slice(Share x, int stat, int groups) {
      return part(x, stat * groups, (stat + 1) * groups);
    }

    private static Share part(Share x, int from, int to) {
      return x.map(t -> t.slice(from, to));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // explain

  static String revealedStatement(SecureQuery query, int[] receivers, int parties) {
    String to = receivers == null || receivers.length == 0 ? "every party"
        : "part" + (receivers.length == 1 ? "y " : "ies ") + Arrays.stream(receivers).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    boolean var = query.aggregates().stream().anyMatch(a -> a.kind() == AggKind.VAR_SAMP || a.kind() == AggKind.STDDEV_SAMP);
    boolean quot = var || query.aggregates().stream().anyMatch(a -> a.kind() == AggKind.AVG);
    return "to every party: " + (query.groupBy().isEmpty() ? "" : "each party's distinct group keys after the filter (the public group list), ")
        + "which groups have at least " + Math.max(1, query.minGroupSize()) + " rows"
        + (var ? ", whether a group's variance would overflow the ring" : "")
        + "; to " + to + ": the aggregates of those groups" + (quot ? " (AVG/VAR as quotients truncated to their stated bits)" : "")
        + "; nothing of groups under " + Math.max(1, query.minGroupSize()) + " rows";
  }

  @Override
  public String explain(SparkSession spark, SpuConf conf, SecureQuery query) {
    int parties = partyTables.size();
    int f = conf.fractionBits();
    Plan plan = plan(query, f);
    List<Stat> stats = stats(plan, f);
    StringBuilder sb = new StringBuilder();
    sb.append(describe()).append(", ").append(conf.protocol()).append(" with ").append(conf.parties()).append(" parties\n");
    sb.append("query: ").append(query.describe(name)).append('\n');
    sb.append("1. local, in plaintext, each party on its own rows only (Spark); one collect of per-group statistics:\n");
    for (int p = 0; p < parties; p++) sb.append("   party ").append(p).append(": ").append(localSql(query, stats, "party_" + p)).append('\n');
    if (!query.groupBy().isEmpty()) sb.append("   the group list becomes public: the sorted union of the parties' keys\n");
    sb.append("2. MPC (").append(conf.protocol()).append("): each party inputs its ").append(plan.stats())
        .append(" statistics per group (one exchange for all owners); sums added locally");
    long mm = plan.inputs().stream().filter(i -> i.min() || i.max()).count();
    if (mm > 0) sb.append("; min/max over parties by a secure tree (").append(32 - Integer.numberOfLeadingZeros(Math.max(1, parties - 1)))
        .append(" levels of one comparison and one select)");
    sb.append(";\n   then: one comparison call (threshold, NULL flags");
    boolean var = plan.inputs().stream().anyMatch(InputPlan::squares);
    if (var) sb.append(", variance guard");
    sb.append("), the pass vector opened to all");
    if (var) sb.append(", variance numerators and the guard (opened to all)");
    if (query.aggregates().stream().anyMatch(a -> a.kind() == AggKind.AVG) || var) sb.append(", one wide division (")
        .append(Finisher.DOUBLE_BITS).append("+ quotient bits, non-restoring, 7 AND rounds per bit)");
    sb.append(", one opening of the results\n");
    if (conf.parties() == parties) {
      try {
        Profile dry = dryRun(conf, query, plan);
        Profile.Entry t = dry.total();
        sb.append(String.format("   dry run on one group (%s, in memory): %d rounds (the same for any number of groups), %,d bytes sent by all parties per group%n",
            conf.protocol(), t.rounds(), t.bytesSent()));
        for (String line : dry.table().split("\n")) sb.append("     ").append(line).append('\n');
      } catch (RuntimeException e) {
        sb.append("   (dry run failed: ").append(e.getClass().getSimpleName()).append(")\n");
      }
    }
    sb.append("3. revealed: ").append(revealedStatement(query, null, parties)).append('\n');
    return sb.toString();
  }

  /** The MPC program on one dummy group that passes the threshold, in memory; its merged profile. */
  private Profile dryRun(SpuConf conf, SecureQuery query, Plan plan) {
    int parties = conf.parties();
    long k = Math.max(1, query.minGroupSize());
    List<long[]> inputs = new ArrayList<>();
    for (int p = 0; p < parties; p++) {
      long[] v = new long[plan.stats()];
      v[0] = p == 0 ? k : 0;
      int s = 1;
      for (InputPlan in : plan.inputs()) {
        v[s++] = p == 0 ? k : 0;
        if (in.sum()) s++;
        if (in.squares()) s++;
        if (in.min()) s++; // value 0 (decodable in every type)
        if (in.max()) s++;
      }
      inputs.add(v);
    }
    List<Object> key = new ArrayList<>();
    for (int i = 0; i < query.groupBy().size(); i++) key.add(null);
    Program program = new Program(plan, query, List.of(key), null);
    return MpcRunner.runLocal(conf.withLink("memory"), inputs, program).profile();
  }
}

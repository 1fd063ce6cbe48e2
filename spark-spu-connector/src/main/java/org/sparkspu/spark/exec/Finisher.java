package org.sparkspu.spark.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.engine.hal.FixedPoint;
import org.sparkspu.engine.hal.WideDivision;
import org.sparkspu.engine.hal.WideDivision.Quotient;
import org.sparkspu.engine.mpc.Protocol;
import org.sparkspu.engine.mpc.Share;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;
import org.sparkspu.engine.runtime.Session;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SecureQuery;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * Turns a query's secret {@link GroupTotals} into its revealed result rows, the same for every
 * layout. Runs at every party (SPMD) inside the query's MPC session.
 *
 * <h2>Phases (each a fixed number of vectorised kernel calls, whatever the number of groups)</h2>
 * <ol>
 * <li>One less-than call over all groups: pass_g = [rows_g >= k] with k = max(1, minGroupSize); for
 * inputs that need a NULL test, [count_g > 0]; for VAR_SAMP/STDDEV_SAMP inputs, [count_g >= 2^t] and
 * [sumSquares_g >= 2^t] for the thresholds of the overflow guard (below).
 * <li>The pass vector is opened to every party. From here on only passing groups are computed on.
 * Sums that may leave the ring (an input with a count limit t, see {@link
 * GroupTotals.InputTotals#maxCountBits}): [count_g >= 2^t] of the passing groups is opened to every
 * party, and a set flag fails the query naming the column (phase 1 computed the comparison).
 * <li>VAR_SAMP/STDDEV_SAMP only: one product call (the guard's products and the exact numerator
 * T = n Q - S^2 in the ring, n = count, S = sum, Q = sum of squares); the guard flags are opened to
 * every party; if a group's flag is set, every party throws {@link SpuQueryException} naming the
 * column ("sum of squares exceeds the 64-bit ring"). Fixed-point inputs first split S exactly
 * (S = 2^a S1 + S0, a = ceil(f/2)) so that S^2 / 2^f is formed without overflow.
 * <li>AVG and VAR_SAMP/STDDEV_SAMP quotients by ONE {@link WideDivision} over all of them.
 * <li>ONE opening of every result (counts, sums, min/max, NULL flags, packed quotients) to the
 * receivers (to all: one reveal; to some: one reveal_to per receiver).
 * </ol>
 *
 * <h2>Semantics</h2>
 * COUNT(*) = rows; COUNT(e) = count; SUM = sum, NULL when count = 0; AVG = sum / count at Spark's
 * result type (DECIMAL(p+4, s+4) rounded HALF_UP, exact whenever the result's unscaled magnitude is
 * below 2^(K-1) with K chosen from the result precision, up to 62 bits; else DOUBLE with 40 bits, relative
 * error below 2^-39); MIN/MAX NULL when count = 0; VAR_SAMP = (n Q - S^2) / (n (n-1)), NULL when
 * n < 2 (integers and decimals exact before the 40-bit quotient; fixed point to about 2^-f per row,
 * clamped at 0); STDDEV_SAMP = sqrt(VAR_SAMP), taken in plaintext after the variance is opened (no
 * extra leakage: sqrt is a bijection on var >= 0). Groups under k rows are absent; a global
 * aggregate (no GROUP BY) whose only group is under k rows returns one row of NULLs.
 *
 * <h2>Leakage</h2>
 * To every party: which groups have at least k rows (the pass vector), and, for queries with
 * VAR_SAMP/STDDEV_SAMP, whether a passing group's variance numerator would overflow the ring, for
 * SUM/AVG/VAR inputs with a count limit t, whether a passing group has 2^t or more values (in both
 * cases the query then fails). To the receivers: the result rows, i.e. each passing group's aggregates
 * including their NULL-ness, AVG and VAR as the quotient truncated to K bits (see {@link
 * WideDivision}), and, for decimal averages of sums with |sum| 10^t >= 2^62 only, that fact. Nothing
 * about suppressed groups beyond "fewer than k rows".
 *
 * <h2>Overflow guard of VAR_SAMP</h2>
 * With bn, bq the bit lengths of n and Q (from the comparisons [n >= 2^t], [Q >= 2^t]), the query
 * runs when bn <= 30 and bn + bq <= 62 (61 for fixed point), which implies n Q < 2^62 (and S^2 <= n Q
 * by Cauchy-Schwarz, so T fits); it is conservative by at most a factor of 2.
 */
public final class Finisher {
  /** Quotient bits of DOUBLE results (relative error below 2^-39). */
  public static final int DOUBLE_BITS = WideDivision.DEFAULT_BITS;
  /** count must stay below 2^MAX_COUNT_BITS for VAR_SAMP (n (n-1) < 2^60). */
  static final int MAX_COUNT_BITS = 30;

  private Finisher() {}

  /**
   * Suppresses groups under the minimum size, computes every aggregate and reveals the rows (group
   * key values first, then the aggregates in query order) to the receivers (null or empty: all).
   *
   * @param groupKeys the public key values of each group (one list per group, one value per
   *     group-by column, Spark external Java values), in the totals' group order
   * @return the rows at a receiver, null at other parties
   */
  public static List<Row> finish(Session session, SecureQuery query, List<List<Object>> groupKeys, GroupTotals totals,
      int[] receivers) {
    return finish(session.protocol(), session.fixedPoint(), query, groupKeys, totals, receivers);
  }

  /** {@link #finish(Session, SecureQuery, List, GroupTotals, int[])} on a protocol and encoding. */
  public static List<Row> finish(Protocol p, FixedPoint fp, SecureQuery query, List<List<Object>> groupKeys,
      GroupTotals totals, int[] receivers) {
    return new Run(p, fp, query, groupKeys, totals, receivers).finish();
  }

  /** The result schema: group-by columns with their table types, then each aggregate's Spark result type (all nullable). */
  public static StructType resultSchema(SecureQuery query, StructType tableSchema, Function<Expr, DataType> typeOf) {
    List<StructField> fields = new ArrayList<>();
    for (String g : query.groupBy()) {
      if (!Arrays.asList(tableSchema.fieldNames()).contains(g)) {
        throw new SpuQueryException(g, "GROUP BY column '" + g + "' is not in the table (columns: " + String.join(", ", tableSchema.fieldNames()) + ")");
      }
      fields.add(DataTypes.createStructField(g, tableSchema.apply(g).dataType(), true));
    }
    for (AggCall a : query.aggregates()) {
      fields.add(DataTypes.createStructField(a.alias(), a.resultType(a.input() == null ? null : typeOf.apply(a.input())), true));
    }
    return DataTypes.createStructType(fields);
  }

  /** Quotient bits that make a decimal average of result precision {@code precision} exact (see class comment). */
  static int decimalBits(int precision) {
    int need = BigInteger.TEN.pow(precision).bitLength() + 1;
    return Math.max(DOUBLE_BITS, Math.min(WideDivision.MAX_BITS, need));
  }

  /** Display name of an aggregate input in messages: the column name, or the expression's SQL. */
  static String columnOf(Expr e) {
    return e instanceof Expr.Col c ? c.name() : e.sql();
  }

  // ---------------------------------------------------------------------------------------------

  /** One query's finishing at one party. */
  private static final class Run {
    final Protocol p;
    final FixedPoint fp;
    final SecureQuery query;
    final List<List<Object>> keys;
    final GroupTotals totals;
    final int[] receivers;
    final int groups;
    /** The totals entry of each aggregate (null for COUNT(*)). */
    final GroupTotals.InputTotals[] inputOf;
    /** Per input index: needs a NULL flag (count > 0), needs VAR machinery, needs the sum range guard. */
    final boolean[] needsFlag, needsVar, needsSumGuard;

    Run(Protocol p, FixedPoint fp, SecureQuery query, List<List<Object>> keys, GroupTotals totals, int[] receivers) {
      this.p = p;
      this.fp = fp;
      this.query = query;
      this.keys = keys;
      this.totals = totals;
      this.groups = totals.groups();
      if (keys.size() != groups) throw new IllegalArgumentException(keys.size() + " group keys for " + groups + " groups");
      this.receivers = receivers == null || receivers.length == 0 ? null : receivers.clone();
      if (this.receivers != null) {
        for (int r : this.receivers) if (r < 0 || r >= p.parties()) throw new IllegalArgumentException("receiver " + r + " is not a party");
      }
      List<GroupTotals.InputTotals> ins = totals.inputs();
      needsFlag = new boolean[ins.size()];
      needsVar = new boolean[ins.size()];
      needsSumGuard = new boolean[ins.size()];
      inputOf = new GroupTotals.InputTotals[query.aggregates().size()];
      for (int a = 0; a < inputOf.length; a++) {
        AggCall call = query.aggregates().get(a);
        if (call.input() == null) continue;
        int idx = -1;
        for (int i = 0; i < ins.size(); i++) if (ins.get(i).expr().equals(call.input())) idx = i;
        if (idx < 0) throw new IllegalStateException("no totals for the input of " + call);
        inputOf[a] = ins.get(idx);
        switch (call.kind()) {
          case SUM, AVG, MIN, MAX -> {
            needsFlag[idx] = true;
            needsSumGuard[idx] |= (call.kind() == AggKind.SUM || call.kind() == AggKind.AVG) && ins.get(idx).maxCountBits() < 63;
          }
          case VAR_SAMP, STDDEV_SAMP -> {
            needsVar[idx] = true;
            needsSumGuard[idx] |= ins.get(idx).maxCountBits() < 63; // the sum of squares must not wrap
          }
          default -> { }
        }
        require(call, inputOf[a]);
      }
    }

    private static void require(AggCall call, GroupTotals.InputTotals in) {
      boolean ok = in.count() != null;
      switch (call.kind()) {
        case SUM, AVG -> ok &= in.sum() != null;
        case MIN -> ok &= in.min() != null;
        case MAX -> ok &= in.max() != null;
        case VAR_SAMP, STDDEV_SAMP -> ok &= in.sum() != null && in.sumSquares() != null;
        default -> { }
      }
      if (!ok) throw new IllegalStateException("the totals lack a statistic that " + call + " needs");
    }

    boolean isReceiver() {
      if (receivers == null) return true;
      for (int r : receivers) if (r == p.self()) return true;
      return false;
    }

    List<Row> finish() {
      List<GroupTotals.InputTotals> ins = totals.inputs();
      if (groups == 0) return isReceiver() ? nullRowIfGlobal() : null;
      Shape vec = Shape.vector(groups);

      // ---- phase 1: every comparison in one call
      List<Share> lhs = new ArrayList<>(), rhs = new ArrayList<>();
      lhs.add(constant(vec, Math.max(1, query.minGroupSize()) - 1L));
      rhs.add(totals.rows());
      Map<Integer, Integer> flagAt = new LinkedHashMap<>(), guardAt = new LinkedHashMap<>();
      for (int i = 0; i < ins.size(); i++) {
        if (!needsFlag[i] && !needsVar[i]) continue;
        flagAt.put(i, lhs.size());
        lhs.add(constant(vec, 0));
        rhs.add(ins.get(i).count());
      }
      Map<Integer, Integer> sumGuardAt = new LinkedHashMap<>(); // [count >= 2^t] of sums that may leave the ring
      for (int i = 0; i < ins.size(); i++) {
        if (!needsSumGuard[i]) continue;
        sumGuardAt.put(i, lhs.size());
        lhs.add(constant(vec, (1L << ins.get(i).maxCountBits()) - 1));
        rhs.add(ins.get(i).count());
      }
      for (int i = 0; i < ins.size(); i++) {
        if (!needsVar[i]) continue;
        guardAt.put(i, lhs.size());
        int top = ins.get(i).encoding().fixedPoint() ? 61 : 62;
        for (int t = 1; t <= MAX_COUNT_BITS; t++) { // u_t = [n >= 2^t]
          lhs.add(constant(vec, (1L << t) - 1));
          rhs.add(ins.get(i).count());
        }
        for (int t = top - MAX_COUNT_BITS; t <= top; t++) { // v_t = [Q >= 2^t]
          lhs.add(constant(vec, (1L << t) - 1));
          rhs.add(ins.get(i).sumSquares());
        }
      }
      List<Share> cmp = split(p.lessThan(Share.concat(lhs), Share.concat(rhs)), lhs.size(), groups);

      // ---- phase 2: the pass vector, opened to everyone
      long[] passOpen = p.reveal(cmp.get(0)).data();
      List<Integer> passing = new ArrayList<>();
      for (int g = 0; g < groups; g++) if (passOpen[g] == 1) passing.add(g);
      if (passing.isEmpty()) return isReceiver() ? nullRowIfGlobal() : null;
      int[] idx = passing.stream().mapToInt(Integer::intValue).toArray();
      int n = idx.length;
      Shape pv = Shape.vector(n);

      // ---- phase 2b: the SUM/AVG range guard of passing groups, opened to everyone (all fail together)
      if (!sumGuardAt.isEmpty()) sumGuard(ins, cmp, sumGuardAt, idx);

      // ---- phase 3: VAR numerators and the overflow guard
      Map<Integer, Share> varNum = new LinkedHashMap<>(), varDen = new LinkedHashMap<>();
      if (!guardAt.isEmpty()) varPhase(ins, cmp, flagAt, guardAt, idx, varNum, varDen);

      // ---- phase 4: every quotient in one wide division
      List<Share> nums = new ArrayList<>(), dens = new ArrayList<>();
      List<Integer> bitsList = new ArrayList<>(), powList = new ArrayList<>();
      Map<Integer, Integer> quotAt = new LinkedHashMap<>(); // aggregate -> first quotient index
      Map<Integer, Integer> varQuotAt = new LinkedHashMap<>(); // input -> first quotient index
      for (int a = 0; a < inputOf.length; a++) {
        AggCall call = query.aggregates().get(a);
        GroupTotals.InputTotals in = inputOf[a];
        if (call.kind() == AggKind.AVG) {
          int i = ins.indexOf(in);
          Share empty = plus(p.neg(gather(cmp.get(flagAt.get(i)), idx)), 1); // 1 - [count > 0]
          quotAt.put(a, nums.size() * n);
          nums.add(gather(in.sum(), idx));
          dens.add(p.add(gather(in.count(), idx), empty));
          int[] bp = avgPrecision(call, in);
          bitsList.add(bp[0]);
          powList.add(bp[1]);
        } else if ((call.kind() == AggKind.VAR_SAMP || call.kind() == AggKind.STDDEV_SAMP)) {
          int i = ins.indexOf(in);
          if (!varQuotAt.containsKey(i)) {
            varQuotAt.put(i, nums.size() * n);
            nums.add(varNum.get(i));
            dens.add(varDen.get(i));
            bitsList.add(DOUBLE_BITS);
            powList.add(0);
          }
        }
      }
      WideDivision.Pending pending = null;
      if (!nums.isEmpty()) {
        int total = nums.size() * n;
        int[] bits = new int[total], pow10 = new int[total];
        for (int k = 0; k < nums.size(); k++) {
          Arrays.fill(bits, k * n, (k + 1) * n, bitsList.get(k));
          Arrays.fill(pow10, k * n, (k + 1) * n, powList.get(k));
        }
        pending = new WideDivision(p).start(Share.concat(nums), Share.concat(dens), bits, pow10);
      }

      // ---- phase 5: one opening of everything
      Opening open = new Opening();
      for (int a = 0; a < inputOf.length; a++) {
        AggCall call = query.aggregates().get(a);
        GroupTotals.InputTotals in = inputOf[a];
        int i = in == null ? -1 : ins.indexOf(in);
        switch (call.kind()) {
          case COUNT_STAR -> open.add("rows", () -> gather(totals.rows(), idx));
          case COUNT -> open.add("count" + i, () -> gather(in.count(), idx));
          case SUM -> open.add("sum" + i, () -> gather(in.sum(), idx));
          case MIN -> open.add("min" + i, () -> gather(in.min(), idx));
          case MAX -> open.add("max" + i, () -> gather(in.max(), idx));
          default -> { }
        }
        switch (call.kind()) {
          case SUM, AVG, MIN, MAX -> { // NULL when count = 0: [count > 0] is part of the result
            Share nonEmpty = cmp.get(flagAt.get(i));
            open.add("flag" + i, () -> gather(nonEmpty, idx));
          }
          case VAR_SAMP, STDDEV_SAMP -> { // NULL when count < 2
            Share u1 = cmp.get(guardAt.get(i));
            open.add("var" + i, () -> gather(u1, idx));
          }
          default -> { }
        }
      }
      WideDivision.Pending pd = pending;
      if (pd != null) open.add("quotients", pd::packed);
      Map<String, long[]> opened = open.openTo(receivers);
      if (opened == null) return null;

      Quotient[] quot = pd == null ? new Quotient[0] : pd.decode(RingTensor.vector(opened.get("quotients")));
      List<Row> rows = new ArrayList<>(n);
      for (int r = 0; r < n; r++) {
        List<Object> vals = new ArrayList<>(keys.get(idx[r]));
        for (int a = 0; a < inputOf.length; a++) {
          AggCall call = query.aggregates().get(a);
          GroupTotals.InputTotals in = inputOf[a];
          int i = in == null ? -1 : ins.indexOf(in);
          boolean nonEmpty = i >= 0 && opened.containsKey("flag" + i) && opened.get("flag" + i)[r] == 1;
          Object v;
          switch (call.kind()) {
            case COUNT_STAR -> v = opened.get("rows")[r];
            case COUNT -> v = opened.get("count" + i)[r];
            case SUM -> v = nonEmpty ? decodeSum(opened.get("sum" + i)[r], in, call.resultType(in.type())) : null;
            case MIN -> v = nonEmpty ? decodeValue(opened.get("min" + i)[r], in) : null;
            case MAX -> v = nonEmpty ? decodeValue(opened.get("max" + i)[r], in) : null;
            case AVG -> v = nonEmpty ? decodeAvg(quot[quotAt.get(a) + r], in, call.resultType(in.type())) : null;
            case VAR_SAMP, STDDEV_SAMP -> {
              if (opened.get("var" + i)[r] != 1) v = null;
              else {
                double var = decodeVar(quot[varQuotAt.get(i) + r], in);
                v = call.kind() == AggKind.VAR_SAMP ? var : Math.sqrt(var);
              }
            }
            default -> throw new IllegalStateException("unknown aggregate " + call.kind());
          }
          vals.add(v);
        }
        rows.add(RowFactory.create(vals.toArray()));
      }
      return rows;
    }

    /**
     * Opens, for each passing group, whether a sum that may leave the ring has 2^t or more values
     * (see {@link GroupTotals.InputTotals#maxCountBits}), and fails the query naming the column if so.
     */
    private void sumGuard(List<GroupTotals.InputTotals> ins, List<Share> cmp, Map<Integer, Integer> sumGuardAt, int[] idx) {
      List<Share> flags = new ArrayList<>();
      for (int at : sumGuardAt.values()) flags.add(gather(cmp.get(at), idx));
      long[] open = p.reveal(Share.concat(flags)).data();
      int k = 0;
      for (int i : sumGuardAt.keySet()) {
        for (int r = 0; r < idx.length; r++) {
          if (open[k * idx.length + r] != 0) {
            String col = columnOf(ins.get(i).expr());
            int t = ins.get(i).maxCountBits();
            throw new SpuQueryException(col, "the sum (or sum of squares, for a variance) of " + col + " may leave the 64-bit"
                + " ring: with the largest values written (public bit lengths) a group of 2^" + t + " or more of them may overflow"
                + " (Spark's sum would raise an overflow error); rescale the column or aggregate smaller groups");
          }
        }
        k++;
      }
    }

    /** The VAR_SAMP guard (opened to all, may throw) and each VAR input's numerator and denominator. */
    private void varPhase(List<GroupTotals.InputTotals> ins, List<Share> cmp, Map<Integer, Integer> flagAt,
        Map<Integer, Integer> guardAt, int[] idx, Map<Integer, Share> varNum, Map<Integer, Share> varDen) {
      int n = idx.length;
      int f = fp.fractionBits();
      int a = (f + 1) / 2;
      WideDivision wd = new WideDivision(p);
      // fixed point: S = 2^a S1 + S0 exactly, so that S^2 / 2^f = S1^2 2^(2a-f) + S1 S0 2^(a+1-f) + S0^2 2^-f
      Map<Integer, Share[]> split = new LinkedHashMap<>();
      List<Integer> fixedInputs = new ArrayList<>();
      for (int i : guardAt.keySet()) if (ins.get(i).encoding().fixedPoint() && a > 0) fixedInputs.add(i);
      if (!fixedInputs.isEmpty()) {
        List<Share> ss = new ArrayList<>();
        for (int i : fixedInputs) ss.add(gather(ins.get(i).sum(), idx));
        List<Share> s1 = split(wd.truncateExact(Share.concat(ss), a), fixedInputs.size(), n);
        for (int k = 0; k < fixedInputs.size(); k++) {
          Share s0 = p.sub(ss.get(k), times(s1.get(k), 1L << a));
          split.put(fixedInputs.get(k), new Share[] {s1.get(k), s0});
        }
      }
      // one product call: guard products, then n Q, S^2 (or S1^2 and S1 S0), n^2
      List<Share> left = new ArrayList<>(), right = new ArrayList<>();
      Map<Integer, Integer> prodAt = new LinkedHashMap<>();
      for (int i : guardAt.keySet()) {
        GroupTotals.InputTotals in = ins.get(i);
        int base = guardAt.get(i);
        Share u0 = gather(cmp.get(flagAt.get(i)), idx);
        prodAt.put(i, left.size());
        // bad = u_30 + sum_{t=0..30} [bn = t] v_(top - t), [bn = t] = u_(t-1) - u_t, u_-1 = 1
        for (int t = 0; t <= MAX_COUNT_BITS; t++) {
          Share uPrev = t == 0 ? null : t == 1 ? u0 : gather(cmp.get(base + t - 2), idx);
          Share uT = t == 0 ? u0 : gather(cmp.get(base + t - 1), idx);
          Share eq = uPrev == null ? plus(p.neg(uT), 1) : p.sub(uPrev, uT);
          Share v = gather(cmp.get(base + MAX_COUNT_BITS + (MAX_COUNT_BITS - t)), idx); // v_(top - t)
          left.add(eq);
          right.add(v);
        }
        Share cnt = gather(in.count(), idx), q = gather(in.sumSquares(), idx);
        left.add(cnt);
        right.add(q);
        Share[] sp = split.get(i);
        if (sp == null) {
          Share s = gather(in.sum(), idx);
          left.add(s);
          right.add(s);
        } else {
          left.add(sp[0]);
          right.add(sp[0]);
          left.add(sp[0]);
          right.add(sp[1]);
        }
        left.add(cnt);
        right.add(cnt);
      }
      List<Share> prod = split(p.mul(Share.concat(left), Share.concat(right)), left.size(), n);
      List<Share> bads = new ArrayList<>();
      Map<Integer, Share> middle = new LinkedHashMap<>();
      for (int i : guardAt.keySet()) {
        int at = prodAt.get(i);
        Share bad = gather(cmp.get(guardAt.get(i) + MAX_COUNT_BITS - 1), idx); // u_30
        for (int t = 0; t <= MAX_COUNT_BITS; t++) bad = p.add(bad, prod.get(at + t));
        bads.add(bad);
      }
      // the guard flags, opened to every party so that all fail together
      long[] badOpen = p.reveal(Share.concat(bads)).data();
      int k = 0;
      for (int i : guardAt.keySet()) {
        for (int r = 0; r < n; r++) {
          if (badOpen[k * n + r] != 0) {
            String col = columnOf(ins.get(i).expr());
            throw new SpuQueryException(col, "secure_var_samp/secure_stddev_samp(" + col + "): the sum of squares exceeds the "
                + "64-bit ring (count < 2^" + MAX_COUNT_BITS + " and count * sum of squares < 2^" + (ins.get(i).encoding().fixedPoint() ? 61 : 62)
                + " are needed); rescale the column");
          }
        }
        k++;
      }
      // middle terms of the fixed-point split: S1 S0 2^(a+1-f), exact truncation in one call
      List<Integer> withMiddle = new ArrayList<>();
      List<Share> mids = new ArrayList<>();
      int shift = f - a - 1;
      for (int i : guardAt.keySet()) {
        if (!split.containsKey(i)) continue;
        withMiddle.add(i);
        mids.add(prod.get(prodAt.get(i) + MAX_COUNT_BITS + 3));
      }
      if (!mids.isEmpty()) {
        Share all = Share.concat(mids);
        all = shift > 0 ? wd.truncateExact(all, shift) : shift < 0 ? times(all, 1L << -shift) : all;
        List<Share> ms = split(all, mids.size(), n);
        for (int j = 0; j < withMiddle.size(); j++) middle.put(withMiddle.get(j), ms.get(j));
      }
      for (int i : guardAt.keySet()) {
        int at = prodAt.get(i) + MAX_COUNT_BITS + 1;
        Share nq = prod.get(at), sq = prod.get(at + 1);
        Share t;
        if (!split.containsKey(i)) {
          t = p.sub(nq, sq);
          at += 2;
        } else {
          Share s1sq = times(sq, 1L << (2 * a - f)); // 2a - f is 0 or 1
          t = p.sub(p.sub(nq, s1sq), middle.get(i));
          at += 3;
        }
        Share nn = prod.get(at);
        Share cnt = gather(ins.get(i).count(), idx);
        Share u1 = gather(cmp.get(guardAt.get(i)), idx);
        varNum.put(i, t);
        varDen.put(i, p.add(p.sub(nn, cnt), plus(p.neg(u1), 1))); // n(n-1), or 1 when n < 2
      }
    }

    /** {bits, pow10} of an average's quotient. */
    private int[] avgPrecision(AggCall call, GroupTotals.InputTotals in) {
      DataType rt = call.resultType(in.type());
      if (rt instanceof DecimalType d && !in.encoding().fixedPoint()) {
        return new int[] {decimalBits(d.precision()), Math.max(0, d.scale() - in.encoding().scale())};
      }
      return new int[] {DOUBLE_BITS, 0};
    }

    private Object decodeSum(long v, GroupTotals.InputTotals in, DataType rt) {
      NumericEncoding e = in.encoding();
      if (rt instanceof DecimalType d) {
        if (!e.fixedPoint()) return new BigDecimal(BigInteger.valueOf(v), e.scale()).setScale(d.scale(), RoundingMode.HALF_UP);
        return BigDecimal.valueOf(v).divide(BigDecimal.valueOf(2).pow(e.fractionBits())).setScale(d.scale(), RoundingMode.HALF_UP);
      }
      if (rt.equals(DataTypes.DoubleType)) return e.fixedPoint() ? Math.scalb((double) v, -e.fractionBits()) : new BigDecimal(BigInteger.valueOf(v), e.scale()).doubleValue();
      return v; // LongType
    }

    private Object decodeAvg(Quotient q, GroupTotals.InputTotals in, DataType rt) {
      NumericEncoding e = in.encoding();
      if (rt instanceof DecimalType d) {
        if (!e.fixedPoint()) {
          int pow = Math.max(0, d.scale() - e.scale());
          return new BigDecimal(q.round(0, RoundingMode.HALF_UP).toBigIntegerExact(), e.scale() + pow).setScale(d.scale(), RoundingMode.HALF_UP);
        }
        return q.exact().divide(BigDecimal.valueOf(2).pow(e.fractionBits())).setScale(d.scale(), RoundingMode.HALF_UP);
      }
      if (e.fixedPoint()) return q.toDouble(-e.fractionBits());
      return e.scale() == 0 ? q.toDouble() : q.exact().movePointLeft(e.scale()).doubleValue();
    }

    private double decodeVar(Quotient q, GroupTotals.InputTotals in) {
      NumericEncoding e = in.encoding();
      double v = e.fixedPoint() ? q.toDouble(-e.fractionBits()) : q.exact().movePointLeft(2 * e.scale()).doubleValue();
      return Math.max(0.0, v); // fixed point may round a zero variance slightly below 0
    }

    /** A MIN/MAX value in the input's own Spark type. */
    private Object decodeValue(long v, GroupTotals.InputTotals in) {
      return decodePlain(v, in.encoding(), in.type());
    }

    private List<Row> nullRowIfGlobal() {
      if (!query.groupBy().isEmpty()) return List.of();
      return List.of(RowFactory.create(new Object[query.aggregates().size()]));
    }

    // ---- share helpers (local)

    private Share constant(Shape s, long v) {
      return p.constant(RingTensor.fill(s, v));
    }

    private Share plus(Share x, long c) {
      return p.addPublic(x, RingTensor.fill(x.shape(), c));
    }

    private Share times(Share x, long c) {
      return p.mulPublic(x, RingTensor.fill(x.shape(), c));
    }

    /** The entries of the passing groups (a local re-indexing of every share part). */
    private static Share gather(Share s, int[] idx) {
      return s.map(t -> {
        long[] d = t.data();
        long[] r = new long[idx.length];
        for (int i = 0; i < idx.length; i++) r[i] = d[idx[i]];
        return RingTensor.wrap(r, Shape.vector(idx.length));
      });
    }

    /** Collects named results (each computed once) and opens them all in one exchange. */
    private final class Opening {
      private final Map<String, Share> items = new LinkedHashMap<>();

      void add(String key, java.util.function.Supplier<Share> s) {
        items.computeIfAbsent(key, k -> s.get());
      }

      /** Named plaintexts at a receiver, null elsewhere. */
      Map<String, long[]> openTo(int[] to) {
        List<Share> shares = new ArrayList<>(items.values());
        if (shares.isEmpty()) return isReceiver() ? new LinkedHashMap<>() : null;
        Share all = Share.concat(shares);
        RingTensor plain = null;
        if (to == null) {
          plain = p.reveal(all);
        } else {
          for (int r : to) {
            RingTensor got = p.revealTo(all, r);
            if (got != null) plain = got;
          }
        }
        if (plain == null) return null;
        Map<String, long[]> out = new LinkedHashMap<>();
        int off = 0;
        for (Map.Entry<String, Share> e : items.entrySet()) {
          int len = e.getValue().size();
          out.put(e.getKey(), Arrays.copyOfRange(plain.data(), off, off + len));
          off += len;
        }
        return out;
      }
    }
  }

  /**
   * A plain (revealed) encoded value back to Spark's external type {@code type}: integers, dates
   * (days), timestamps (microseconds), decimals (unscaled at the encoding's scale), fixed point.
   */
  public static Object decodePlain(long v, NumericEncoding e, DataType type) {
    if (type instanceof DecimalType d) {
      BigDecimal b = e.fixedPoint() ? new BigDecimal(v).divide(BigDecimal.valueOf(2).pow(e.fractionBits()))
          : new BigDecimal(BigInteger.valueOf(v), e.scale());
      return b.setScale(d.scale(), RoundingMode.HALF_UP);
    }
    double real = e.fixedPoint() ? Math.scalb((double) v, -e.fractionBits()) : v;
    if (type.equals(DataTypes.DoubleType)) return e.fixedPoint() ? real : new BigDecimal(BigInteger.valueOf(v), e.scale()).doubleValue();
    if (type.equals(DataTypes.FloatType)) return (float) real;
    if (type.equals(DataTypes.LongType)) return v;
    if (type.equals(DataTypes.IntegerType)) return (int) v;
    if (type.equals(DataTypes.ShortType)) return (short) v;
    if (type.equals(DataTypes.ByteType)) return (byte) v;
    if (type.equals(DataTypes.DateType)) return java.sql.Date.valueOf(java.time.LocalDate.ofEpochDay(v));
    if (type.equals(DataTypes.TimestampType)) {
      java.time.Instant t = java.time.Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000L);
      return java.sql.Timestamp.from(t);
    }
    throw new IllegalArgumentException("no decoding to " + type.simpleString());
  }

  private static List<Share> split(Share s, int k, int n) {
    return s.split(java.util.Collections.nCopies(k, Shape.vector(n)));
  }
}

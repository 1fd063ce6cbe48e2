package org.sparkspu.spark.sql;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.catalog.functions.AggregateFunction;
import org.apache.spark.sql.connector.catalog.functions.BoundFunction;
import org.apache.spark.sql.connector.catalog.functions.UnboundFunction;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.plan.AggCall;
import org.sparkspu.spark.plan.AggKind;
import org.sparkspu.spark.plan.Expr;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * One secure aggregate SQL function (secure_sum, secure_count, secure_avg, secure_min,
 * secure_max, secure_var_samp, secure_stddev_samp), with the SQL semantics and result type of
 * Spark's function of the same name without the prefix.
 *
 * <p>It never computes anything in plaintext: its row-by-row evaluation throws. It runs only when
 * Spark pushes it, as a {@code UserDefinedAggregateFunc} with complete push-down, into a spu scan,
 * which evaluates it in MPC and reveals only the aggregate of each group that has at least
 * spark.spu.minGroupSize rows (leakage: the aggregate values and which groups pass the threshold;
 * for a horizontal table also each party's own group keys to all parties).
 */
public final class SecureAggregateFunction implements UnboundFunction {
  private final AggKind kind;

  SecureAggregateFunction(AggKind kind) {
    this.kind = kind;
  }

  @Override
  public String name() {
    return kind.sqlName();
  }

  @Override
  public String description() {
    return kind.sqlName() + "(expr): " + kind.sqlName().substring("secure_".length())
        + "(expr) computed in MPC over a spu table; only the aggregate is revealed"
        + (kind == AggKind.COUNT ? " (secure_count(*) counts every row)" : "");
  }

  @Override
  public BoundFunction bind(StructType inputType) {
    if (inputType.fields().length != 1) {
      throw new UnsupportedOperationException(kind.sqlName() + " takes exactly one argument"
          + (kind == AggKind.COUNT ? "; count all rows with secure_count(*)" : ""));
    }
    DataType in = inputType.fields()[0].dataType();
    if (!accepts(kind, in)) {
      throw new UnsupportedOperationException(kind.sqlName() + " does not accept " + in.sql()
          + " (numeric types" + (kind == AggKind.MIN || kind == AggKind.MAX ? " and dates" : "") + " only)");
    }
    return new Bound(kind, in);
  }

  static boolean accepts(AggKind kind, DataType t) {
    if (kind == AggKind.COUNT) return true;
    boolean numeric = t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType
        || t instanceof FloatType || t instanceof DoubleType || t instanceof DecimalType;
    return numeric || ((kind == AggKind.MIN || kind == AggKind.MAX) && t instanceof DateType);
  }

  /** The error of a secure function that Spark did not push into a spu scan. */
  static SpuQueryException notPushed(String function) {
    return new SpuQueryException(function + " can only run over a spu table (SecureFrame view or format(\"spu\")); "
        + "the query was not pushed into MPC, and secure functions never compute in plaintext");
  }

  /** The function bound to its input type: Spark's result type; evaluation only by push-down. */
  static final class Bound implements AggregateFunction<Serializable, Object> {
    private final AggKind kind;
    private final DataType input;

    Bound(AggKind kind, DataType input) {
      this.kind = kind;
      this.input = input;
    }

    AggKind kind() {
      return kind;
    }

    @Override
    public String name() {
      return kind.sqlName();
    }

    @Override
    public String canonicalName() {
      return SpuCatalog.CANONICAL_PREFIX + kind.sqlName();
    }

    @Override
    public DataType[] inputTypes() {
      return new DataType[] {input};
    }

    @Override
    public DataType resultType() {
      return new AggCall(kind, new Expr.Col("x"), "x").resultType(input);
    }

    @Override
    public boolean isResultNullable() {
      return true; // a suppressed group of a global aggregate reveals NULL, count included
    }

    @Override
    public Serializable newAggregationState() {
      throw notPushed(kind.sqlName());
    }

    @Override
    public Serializable update(Serializable state, InternalRow input) {
      throw notPushed(kind.sqlName());
    }

    @Override
    public Serializable merge(Serializable a, Serializable b) {
      throw notPushed(kind.sqlName());
    }

    @Override
    public Object produceResult(Serializable state) {
      throw notPushed(kind.sqlName());
    }
  }
}

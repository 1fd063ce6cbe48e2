package org.sparkspu.spark.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.BoxedUnit;

/**
 * Session extensions of spark-spu (SpuPlugin appends this class to spark.sql.extensions): the
 * unqualified SQL names secure_sum, secure_count, secure_avg, secure_min, secure_max,
 * secure_var_samp, secure_stddev_samp (the same functions as {@code spu.system.*}), and a check
 * that fails, at planning time, a query whose secure aggregate did not push into a spu scan,
 * and a parser wrapper that reads {@code secure_count(*)} as {@code secure_count(1)} (Spark's
 * parser does so for count only; any other {@code f(*)} would expand to all columns).
 */
public final class SpuExtensions implements scala.Function1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    CatalystBridge.injectSecureFunctions(extensions);
    return BoxedUnit.UNIT;
  }
}

package org.sparkspu.spark.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkspu.spark.SpuPlugin;

/** SQL registration by the driver plugin (with stand-in classes: the real ones are the SQL layer's). */
class SpuDriverPluginTest {
  private static final String EXT = SpuPlugin.class.getName(); // any loadable class stands in
  private static final String CAT = SpuDriverPlugin.class.getName();
  private final ClassLoader loader = getClass().getClassLoader();

  @Test
  void extensionsAreAppendedOnceAndTheCatalogSetUnlessTheUserDid() {
    SparkConf c = new SparkConf(false);
    SpuDriverPlugin.registerSql(c, EXT, CAT, loader);
    assertEquals(EXT, c.get("spark.sql.extensions"));
    assertEquals(CAT, c.get(SpuPlugin.CATALOG_KEY));
    SpuDriverPlugin.registerSql(c, EXT, CAT, loader); // idempotent
    assertEquals(EXT, c.get("spark.sql.extensions"));

    SparkConf user = new SparkConf(false).set("spark.sql.extensions", "a.B, c.D").set(SpuPlugin.CATALOG_KEY, "my.Catalog");
    SpuDriverPlugin.registerSql(user, EXT, CAT, loader);
    assertEquals("a.B, c.D," + EXT, user.get("spark.sql.extensions"));
    assertEquals("my.Catalog", user.get(SpuPlugin.CATALOG_KEY));
  }

  @Test
  void missingClassesAreNotRegistered() {
    SparkConf c = new SparkConf(false);
    SpuDriverPlugin.registerSql(c, "no.such.Extensions", "no.such.Catalog", loader);
    assertFalse(c.contains("spark.sql.extensions"));
    assertFalse(c.contains(SpuPlugin.CATALOG_KEY));
  }
}

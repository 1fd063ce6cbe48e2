package org.sparkspu.spark.sql;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.sparkspu.spark.exec.SecureTable;
import org.sparkspu.spark.join.SecureJoinSql;
import org.sparkspu.spark.plan.SpuConf;
import org.sparkspu.spark.plan.SpuQueryException;
import org.sparkspu.spark.secret.SecretTable;
import org.sparkspu.spark.store.ShareStore;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The data source "spu".
 *
 * <ul>
 *   <li>Write: {@code df.write().format("spu").option("party", p).mode(m).save(path)} secret-shares
 *       party p's DataFrame into the share store at path ({@link ShareStore#write}); modes: append
 *       (add rows to the rows other owners wrote), overwrite, errorifexists (default), ignore.
 *       Other options (e.g. "publicDomain") pass to the store.
 *   <li>Read: {@code spark.read().format("spu").load(path)} is the secret table at path; {@code
 *       .option("table", name)} (or "horizontal") a table registered in this JVM ({@link
 *       SpuTableRegistry}, e.g. by SecureFrame). Option "revealTo" ("all" or "0,2") names the
 *       receiving parties (default spark.spu.revealTo, else all).
 *   <li>Join: {@code CREATE TEMPORARY VIEW j USING spu OPTIONS (secureJoin 'a@0, b@1', keys 'k')}
 *       is the secret table of the secure join of party 0's table a and party 1's table b
 *       ({@link SecureJoinSql}).
 * </ul>
 *
 * The table is readable only through aggregate queries that push completely into its scan ({@link
 * SpuScanBuilder}); anything else is refused with a {@link SpuQueryException}.
 */
public final class SpuDataSource implements TableProvider, DataSourceRegister, CreatableRelationProvider {
  public static final String SHORT_NAME = "spu";
  /** The write option naming the owner party of the rows. */
  public static final String PARTY_OPTION = "party";

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    if (options.containsKey(PARTY_OPTION)) return new StructType(); // a write: the store may not exist yet
    return resolve(SparkSession.active(), options).schema();
  }

  /**
   * True, so that a write hands the DataFrame's schema straight to {@link #getTable} instead of
   * inferring it from a store that may not exist yet (a write without option "party" would
   * otherwise fail as a read of a missing store instead of naming the missing option). A schema
   * given on read is ignored: the store's own schema is the table's.
   */
  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    CaseInsensitiveStringMap options = new CaseInsensitiveStringMap(properties);
    if (options.containsKey(PARTY_OPTION) || noStoreYet(options)) return new WriteTarget(options);
    return new SpuTable(resolve(SparkSession.active(), options));
  }

  /** A path option with nothing at it: the target of a first write (a read of it fails in {@link WriteTarget}). */
  private static boolean noStoreYet(CaseInsensitiveStringMap options) {
    if (options.containsKey(SpuTableRegistry.OPTION) || options.containsKey(SpuTableRegistry.HORIZONTAL_OPTION)) return false;
    String path = options.get("path");
    return path != null && !path.isBlank() && !exists(SparkSession.active(), path);
  }

  /** The secure table the read options name. */
  static SecureTable resolve(SparkSession spark, CaseInsensitiveStringMap options) {
    String name = options.containsKey(SpuTableRegistry.OPTION) ? options.get(SpuTableRegistry.OPTION)
        : options.get(SpuTableRegistry.HORIZONTAL_OPTION);
    if (name != null) return SpuTableRegistry.get(name);
    if (SecureJoinSql.requested(options)) return SecretTable.open(spark, SecureJoinSql.outputPath(spark, options), SpuSettings.conf(spark));
    String path = options.get("path");
    if (path == null || path.isBlank()) {
      throw new SpuQueryException("format(\"spu\") needs a path (load(path): a share store) or option(\"table\", name) (a registered table)");
    }
    return SecretTable.open(spark, path, SpuSettings.conf(spark));
  }

  @Override
  public BaseRelation createRelation(SQLContext sqlContext, SaveMode mode, scala.collection.immutable.Map<String, String> parameters,
      Dataset<Row> data) {
    SparkSession spark = sqlContext.sparkSession();
    Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    options.putAll(CollectionConverters.asJava(parameters));
    SpuConf conf = SpuSettings.conf(spark);
    String partyText = options.get(PARTY_OPTION);
    if (partyText == null || partyText.isBlank()) {
      throw new SpuQueryException("writing format(\"spu\") needs option \"party\": the index of the party that owns the rows (0.."
          + (conf.parties() - 1) + ")");
    }
    int party;
    try {
      party = Integer.parseInt(partyText.trim());
    } catch (NumberFormatException e) {
      throw new SpuQueryException("option \"party\" must be a party index 0.." + (conf.parties() - 1) + ", got '" + partyText + "'");
    }
    SpuSettings.checkParty(party, conf.parties(), "option \"party\"");
    String path = options.get("path");
    if (path == null || path.isBlank()) throw new SpuQueryException("writing format(\"spu\") needs a path: save(path)");
    boolean exists = exists(spark, path);
    if (mode == SaveMode.ErrorIfExists && exists) {
      throw new SpuQueryException("spu share store " + path + " already exists; use mode(\"append\") to add party " + party
          + "'s rows or mode(\"overwrite\") to replace the store");
    }
    if (!(mode == SaveMode.Ignore && exists)) {
      options.put("mode", mode == SaveMode.Overwrite ? "overwrite" : "append");
      ShareStore.write(spark, data, party, path, conf, options);
    }
    StructType schema = data.schema();
    return new BaseRelation() {
      @Override
      public SQLContext sqlContext() {
        return sqlContext;
      }

      @Override
      public StructType schema() {
        return schema;
      }
    };
  }

  private static boolean exists(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(p);
    } catch (java.io.IOException e) {
      throw new SpuQueryException("cannot check spu share store " + path + ": " + e.getMessage());
    }
  }

  /**
   * The table Spark sees when saving (the options carry "party", or the path holds no store yet):
   * not writable through the connector API, so Spark falls back to {@link #createRelation}; not
   * readable.
   */
  static final class WriteTarget implements SupportsRead {
    private final CaseInsensitiveStringMap options;

    WriteTarget(CaseInsensitiveStringMap options) {
      this.options = options;
    }

    @Override
    public String name() {
      return "spu share store (write)";
    }

    @Override
    public StructType schema() {
      return new StructType();
    }

    @Override
    public Set<TableCapability> capabilities() {
      return Set.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
      if (!options.containsKey(PARTY_OPTION)) resolve(SparkSession.active(), options); // no store: fails naming the path
      throw new SpuQueryException("option \"party\" is a write option of format(\"spu\"); read a share store with load(path) alone");
    }
  }
}

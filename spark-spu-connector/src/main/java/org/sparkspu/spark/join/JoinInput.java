package org.sparkspu.spark.join;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * One side of a secure join: either one party's own table ({@link #owned}), or the output of an
 * earlier secure join ({@link #joined}), whose rows are aligned across its owners and of which each
 * owner keeps its own columns in plaintext, in row order, in its private folder. A side is a list
 * of column groups, one per owner; every group numbers the side's rows 0..n-1 in its
 * {@link JoinKeys#ROW} column.
 */
public final class JoinInput {
  /** The manifest of a join output (public: owners, their column names, folders; never values). */
  static final String MANIFEST = "_spu_join.json";
  /** The aligned-row column of an owner's private file. */
  static final String POS = "_spu_pos";

  /**
   * One owner's columns of the side.
   *
   * @param indexed the owner's plaintext rows with the {@link JoinKeys#ROW} column
   * @param privateColumns every column the owner holds in plaintext (key candidates of a chained join)
   * @param secretColumns the columns that go into the join's secret output (less the join keys)
   */
  record Group(int owner, Dataset<Row> indexed, List<String> privateColumns, List<String> secretColumns) {}

  private final List<Group> groups;
  private final String description;

  private JoinInput(List<Group> groups, String description) {
    this.groups = List.copyOf(groups);
    this.description = description;
  }

  List<Group> groups() {
    return groups;
  }

  /** "party 0's table" or "the join output at PATH", for messages. */
  public String describe() {
    return description;
  }

  /**
   * Party {@code party}'s own table. Its rows are numbered in Spark's partition order
   * (zipWithIndex); the source must be deterministic (files, a local collection, a cached frame),
   * as it is read twice (keys for PSI, then the matched rows).
   */
  public static JoinInput owned(int party, Dataset<Row> df) {
    StructType s = df.schema();
    if (Arrays.asList(s.fieldNames()).contains(JoinKeys.ROW) || Arrays.asList(s.fieldNames()).contains(POS)) {
      throw new SpuQueryException(JoinKeys.ROW, "party " + party + "'s table has a column named " + JoinKeys.ROW + " or " + POS
          + ", which secure_join reserves: rename it");
    }
    JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(t -> {
      Row r = t._1();
      Object[] v = new Object[r.size() + 1];
      for (int i = 0; i < r.size(); i++) v[i] = r.get(i);
      v[r.size()] = t._2();
      return RowFactory.create(v);
    });
    Dataset<Row> indexed = df.sparkSession().createDataFrame(rows, s.add(JoinKeys.ROW, DataTypes.LongType, false));
    List<String> cols = Arrays.asList(s.fieldNames());
    return new JoinInput(List.of(new Group(party, indexed, cols, cols)), "party " + party + "'s table");
  }

  /**
   * This side with its columns {@code from.get(i)} renamed {@code to.get(i)} (the keys of a join
   * whose sides name them differently): possible for a party's own table only, a plaintext
   * projection of its own rows. Refused naming the column when a new name is taken.
   */
  JoinInput renamed(List<String> from, List<String> to) {
    if (groups.size() != 1 || !groups.get(0).privateColumns().equals(groups.get(0).secretColumns())) {
      throw new SpuQueryException(from.get(0), "secure_join: the key columns of " + description + " cannot be renamed (it is a join"
          + " output): name the other side's key columns " + from);
    }
    Group g = groups.get(0);
    List<String> cols = new ArrayList<>(g.privateColumns());
    Dataset<Row> d = g.indexed();
    for (int i = 0; i < from.size(); i++) {
      String f = from.get(i), t = to.get(i);
      if (f.equals(t)) continue;
      if (!cols.contains(f)) {
        throw new SpuQueryException(f, "join key column '" + f + "' is not in " + description + " (columns: " + String.join(", ", cols) + ")");
      }
      if (cols.contains(t)) {
        throw new SpuQueryException(t, "secure_join: " + description + " already has a column '" + t + "', the other side's name"
            + " of its key '" + f + "': rename one of them");
      }
      cols.set(cols.indexOf(f), t);
      d = d.withColumnRenamed(f, t);
    }
    return new JoinInput(List.of(new Group(g.owner(), d, cols, cols)), description);
  }

  /** True when {@code path} holds a secure join's output (its manifest). */
  public static boolean isJoinOutput(String path) {
    Path p = new Path(path, MANIFEST);
    try {
      return fs(p).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  /**
   * The output of an earlier secure join at {@code path}, for a chained join: each owner's private
   * aligned rows. The chained join's keys must all be columns one owner holds in plaintext.
   */
  public static JoinInput joined(SparkSession spark, String path) {
    List<JoinManifest.Group> manifest = JoinManifest.read(path);
    if (manifest == null) throw new SpuQueryException("no secure_join output at " + path + " (it has no " + MANIFEST + ")");
    List<Group> groups = new ArrayList<>();
    for (JoinManifest.Group g : manifest) {
      Dataset<Row> d = spark.read().parquet(new Path(path, g.folder()).toString());
      List<Column> sel = new ArrayList<>();
      for (String c : g.privateColumns()) sel.add(col(JoinKeys.quote(c)));
      sel.add(col(POS).as(JoinKeys.ROW));
      groups.add(new Group(g.owner(), d.select(sel.toArray(new Column[0])), g.privateColumns(), g.secretColumns()));
    }
    return new JoinInput(groups, "the join output at " + path);
  }

  static FileSystem fs(Path p) {
    try {
      return p.getFileSystem(new Configuration());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + p, e);
    }
  }
}

package org.sparkspu.spark.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.sparkspu.spark.plan.SpuQueryException;

/**
 * The public manifest of a secure join output ({@code _spu_join.json}): for each column group its
 * owner, the owner's private folder of plaintext aligned rows (with the joined row number
 * {@link #POS}) and the group's column names. Names and owners only, never values.
 */
public final class JoinManifest {
  /** The joined row number column of an owner's private rows (row order of the secret store). */
  public static final String POS = JoinInput.POS;

  /**
   * One owner's column group.
   *
   * @param group the group's index in the manifest
   * @param folder the owner's private folder, relative to the store root
   * @param privateColumns every column the owner holds in plaintext there
   * @param secretColumns the group's columns in the secret store
   */
  public record Group(int group, int owner, String folder, List<String> privateColumns, List<String> secretColumns) {}

  private JoinManifest() {}

  /** The groups of the join output at {@code path}, or null when {@code path} holds no join output. */
  public static List<Group> read(String path) {
    if (!JoinInput.isJoinOutput(path)) return null;
    Path p = new Path(path, JoinInput.MANIFEST);
    JsonNode m;
    try (InputStream in = JoinInput.fs(p).open(p)) {
      m = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new SpuQueryException("cannot read the secure_join manifest " + p + ": " + e.getMessage());
    }
    List<Group> out = new ArrayList<>();
    int g = 0;
    for (JsonNode n : m.get("groups")) {
      out.add(new Group(g++, n.get("owner").asInt(), n.get("folder").asText(), strings(n.get("columns")), strings(n.get("secret"))));
    }
    return out;
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    for (JsonNode x : a) out.add(x.asText());
    return List.copyOf(out);
  }
}

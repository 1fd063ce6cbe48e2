package org.sparkspu.spark.sql;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkspu.spark.plan.QueryProfile;

/**
 * Profiles of recently executed spu scans, by the query tag a caller put in the data source
 * option {@value #TAG_OPTION} (SecureFrame does, to answer {@code profile()}). Keeps the last
 * {@value #KEEP} tags.
 */
public final class SpuQueryLog {
  /** The data source option that tags the scans of one query. */
  public static final String TAG_OPTION = "queryTag";
  static final int KEEP = 256;

  private static final Map<String, QueryProfile> PROFILES = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, QueryProfile> eldest) {
      return size() > KEEP;
    }
  };

  private SpuQueryLog() {}

  private static QueryProfile last;

  static synchronized void record(String tag, QueryProfile profile) {
    if (tag != null) PROFILES.put(tag, profile);
    last = profile;
  }

  /** The profile of the most recent spu scan in this JVM (SQL queries carry no tag), or null. */
  public static synchronized QueryProfile last() {
    return last;
  }

  /** The profile of the scan tagged {@code tag}, or null if none ran (or it was forgotten). */
  public static synchronized QueryProfile profile(String tag) {
    return PROFILES.get(tag);
  }
}

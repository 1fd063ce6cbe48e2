package org.sparkspu.engine.psi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.link.Link;

/** One party's side of one PSI run (see {@link Psi} for the protocol and its leakage). */
final class PsiRun {
  static final String TAG_HELLO = "psi/hello";
  static final String TAG_BLINDED = "psi/blinded"; // H(x)^k of the sender's keys, one batch
  static final String TAG_DOUBLE = "psi/double-tags"; // follower -> leader: T(H(x)^ab), leader's order
  static final String TAG_MATCHES = "psi/matches"; // leader -> follower: follower positions, canonical order
  static final String TAG_MULTIPLICITIES = "psi/multiplicities";

  private static final int MAGIC = 0x50534931; // "PSI1"
  static final int NONCE = 16;
  static final int HELLO_BYTES = 4 + 1 + 1 + 4 + 4 + 32 + NONCE;
  private static final byte OK = 0;
  private static final byte REFUSED_DUPLICATES = 1;

  private final Link link;
  private final int peer;
  private final KeyGroups groups;
  private final PsiOptions options;
  private final boolean rawInput;
  private final boolean leader;
  private final SecureRandom random = new SecureRandom();

  private long bytesSent;
  private long bytesReceived;
  private long messagesSent;
  private long ownNanos;
  private long peerNanos;
  private long waitNanos;
  private long scalarMults;

  PsiRun(Link link, int peer, KeyGroups groups, PsiOptions options, boolean rawInput) {
    if (peer == link.self() || peer < 0 || peer >= link.endpoints()) {
      throw new IllegalArgumentException("party " + link.self() + ": no PSI peer " + peer + " among "
          + link.endpoints() + " endpoints");
    }
    this.link = link;
    this.peer = peer;
    this.groups = groups;
    this.options = options;
    this.rawInput = rawInput;
    this.leader = link.self() < peer;
  }

  private record Hello(byte status, boolean duplicates, int size, int batchSize, byte[] digest, byte[] nonce) {}

  PsiResult run() {
    long start = System.nanoTime();
    boolean refuse = rawInput && groups.hasDuplicates();
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    Hello own = new Hello(refuse ? REFUSED_DUPLICATES : OK, groups.hasDuplicates(), refuse ? 0 : groups.size(),
        options.batchSize(), sessionDigest(), nonce);
    Hello theirs = exchangeHello(own);
    check(own, theirs);
    byte[] leaderNonce = leader ? own.nonce : theirs.nonce;
    byte[] dst = dst(leaderNonce);

    int ownSize = groups.size();
    int peerSize = theirs.size;
    int[] order = shuffle(ownSize); // position p of the messages carries key order[p]
    Blinding blinding = new Blinding(random);
    ForkJoinPool pool = new ForkJoinPool(options.parallelism());
    long matchNanos = 0;
    int[] keyIndices;
    try {
      Batches ownB = new Batches(ownSize, options.batchSize());
      Batches peerB = new Batches(peerSize, theirs.batchSize);
      Compute compute = new Compute(pool, blinding, dst);
      if (leader) {
        long[] ownTags = new long[2 * ownSize];
        TagTable peerTags = new TagTable(peerSize);
        leaderStreams(compute, order, ownB, peerB, ownTags, peerTags);
        long t = System.nanoTime();
        keyIndices = leaderMatch(ownTags, peerTags, order);
        matchNanos = System.nanoTime() - t;
      } else {
        followerStreams(compute, order, ownB, peerB);
        keyIndices = followerResult(order, ownSize, peerSize);
      }
    } finally {
      pool.shutdownNow();
      blinding.destroy();
    }
    PsiResult.Stats stats = new PsiResult.Stats(System.nanoTime() - start, ownNanos, peerNanos, matchNanos,
        waitNanos, bytesSent, bytesReceived, scalarMults, messagesSent);
    return new PsiResult(groups, keyIndices, peerSize, theirs.duplicates, leader, stats);
  }

  // ---- handshake ----

  /** Binds the run to the session id and suite: parties that disagree stop before sending keys. */
  private byte[] sessionDigest() {
    MessageDigest sha = Blinding.sha256();
    sha.update("spark-spu psi v1".getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) 0);
    sha.update(options.sessionId().getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(options.hashToCurve().suite().getBytes(StandardCharsets.US_ASCII));
    return sha.digest();
  }

  /** RFC 9380 section 3.1 DST: application, version, suite, session id and the leader's fresh nonce. */
  private byte[] dst(byte[] leaderNonce) {
    return dst(options, leaderNonce);
  }

  static byte[] dst(PsiOptions options, byte[] leaderNonce) {
    String tag = "SPARK-SPU-PSI-V01-CS01-with-" + options.hashToCurve().suite() + "-session:" + options.sessionId()
        + ":" + HexFormat.of().formatHex(leaderNonce);
    return tag.getBytes(StandardCharsets.UTF_8);
  }

  private Hello exchangeHello(Hello own) {
    ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES);
    b.putInt(MAGIC).put(own.status).put((byte) (own.duplicates ? 1 : 0)).putInt(own.size).putInt(own.batchSize)
        .put(own.digest).put(own.nonce);
    send(TAG_HELLO, b.array());
    byte[] in = recv(TAG_HELLO);
    if (in.length != HELLO_BYTES || ByteBuffer.wrap(in).getInt() != MAGIC) {
      throw new PsiException("party " + link.self() + ": " + link.describe(peer)
          + " sent a malformed PSI hello (another protocol version?)");
    }
    ByteBuffer r = ByteBuffer.wrap(in, 4, in.length - 4);
    byte status = r.get();
    boolean duplicates = r.get() != 0;
    int size = r.getInt();
    int batch = r.getInt();
    byte[] digest = new byte[32];
    r.get(digest);
    byte[] nonce = new byte[NONCE];
    r.get(nonce);
    if (size < 0 || batch < 1) {
      throw new PsiException("party " + link.self() + ": " + link.describe(peer) + " sent an invalid PSI hello");
    }
    return new Hello(status, duplicates, size, batch, digest, nonce);
  }

  /** The same checks in the same order on both sides, so both fail with matching messages. */
  private void check(Hello own, Hello theirs) {
    String me = "party " + link.self();
    if (own.status == REFUSED_DUPLICATES) {
      int[] pair = groups.someDuplicatePair();
      throw new DuplicateKeysException(me + ": " + groups.surplusRows() + " of its " + groups.rowCount()
          + " keys repeat an earlier key (e.g. rows " + pair[0] + " and " + pair[1] + " hold the same key); "
          + "sent raw, the peer would see equal blinded values. Deduplicate with KeyGroups.of(keys), run "
          + "Psi.run(link, peer, groups, options) and expand matches with PsiResult.rowsOf or Psi.alignRows");
    }
    if (theirs.status == REFUSED_DUPLICATES) {
      throw new PsiException(me + ": " + link.describe(peer) + " refused to run PSI: its key list has duplicate "
          + "keys that were not deduplicated");
    }
    if (!MessageDigest.isEqual(own.digest, theirs.digest)) {
      throw new PsiException(me + " and " + link.describe(peer) + " disagree on the PSI session: their session ids"
          + " or hash-to-curve suites differ");
    }
    if (own.duplicates && theirs.duplicates) {
      throw new DuplicateKeysException(me + " and " + link.describe(peer) + " both have duplicate keys (an N:M"
          + " join): PSI supports 1:1 and 1:N joins only; deduplicate one side's keys to distinct values first");
    }
  }

  // ---- streaming phase ----

  /** Batch boundaries of one party's stream. */
  private record Batches(int n, int size) {
    int count() {
      return (int) ((n + (long) size - 1) / size);
    }

    int from(int k) {
      return k * size;
    }

    int length(int k) {
      return Math.min(size, n - k * size);
    }
  }

  /**
   * Leader: sends its blinded batches one ahead of what it reads (so that its computing overlaps the
   * follower's), tags the follower's batches into the table, stores the returned tags of its own.
   * Receive order equals the follower's send order: per step, its batch, then the tags of ours.
   */
  private void leaderStreams(Compute c, int[] order, Batches own, Batches theirs, long[] ownTags,
      TagTable peerTags) {
    int steps = Math.max(own.count(), theirs.count());
    if (own.count() > 0) sendOwn(c, order, own, 0);
    for (int k = 0; k < steps; k++) {
      if (k + 1 < own.count()) sendOwn(c, order, own, k + 1);
      if (k < theirs.count()) {
        int len = theirs.length(k);
        byte[] tags = c.blindPeer(recvPoints(len), len);
        for (int i = 0; i < len; i++) {
          ByteBuffer t = ByteBuffer.wrap(tags, Blinding.TAG * i, Blinding.TAG);
          if (!peerTags.put(t.getLong(), t.getLong(), theirs.from(k) + i)) {
            throw new PsiException("party " + link.self() + ": " + link.describe(peer)
                + " sent two points that blind to the same value: its keys were not distinct");
          }
        }
      }
      if (k < own.count()) {
        int len = own.length(k);
        byte[] tags = recv(TAG_DOUBLE);
        if (tags.length != Blinding.TAG * len) throw badLength(TAG_DOUBLE, tags.length, Blinding.TAG * len);
        ByteBuffer t = ByteBuffer.wrap(tags);
        for (int i = 0; i < len; i++) {
          ownTags[2 * (own.from(k) + i)] = t.getLong();
          ownTags[2 * (own.from(k) + i) + 1] = t.getLong();
        }
      }
    }
  }

  /** Follower: per step, sends its next blinded batch, then blinds the leader's batch again and returns its tags. */
  private void followerStreams(Compute c, int[] order, Batches own, Batches theirs) {
    int steps = Math.max(own.count(), theirs.count());
    for (int k = 0; k < steps; k++) {
      if (k < own.count()) sendOwn(c, order, own, k);
      if (k < theirs.count()) {
        int len = theirs.length(k);
        send(TAG_DOUBLE, c.blindPeer(recvPoints(len), len));
      }
    }
  }

  private void sendOwn(Compute c, int[] order, Batches own, int k) {
    long t = System.nanoTime();
    byte[] points = c.hashAndBlind(order, own.from(k), own.length(k));
    ownNanos += System.nanoTime() - t;
    send(TAG_BLINDED, points);
  }

  private byte[] recvPoints(int count) {
    byte[] in = recv(TAG_BLINDED);
    if (in.length != Blinding.POINT * count) throw badLength(TAG_BLINDED, in.length, Blinding.POINT * count);
    return in;
  }

  // ---- result ----

  /** Looks up the leader's tags, orders the matches by tag and tells the follower its positions. */
  private int[] leaderMatch(long[] ownTags, TagTable peerTags, int[] order) {
    int n = ownTags.length / 2;
    int[] ownPos = new int[Math.min(n, peerTags.size())];
    int[] peerPos = new int[ownPos.length];
    int m = 0;
    for (int p = 0; p < n; p++) {
      int j = peerTags.get(ownTags[2 * p], ownTags[2 * p + 1]);
      if (j >= 0) {
        if (m == ownPos.length) {
          throw new PsiException("party " + link.self() + ": more matches than keys: " + link.describe(peer)
              + " returned inconsistent tags");
        }
        ownPos[m] = p;
        peerPos[m++] = j;
      }
    }
    int[] byTag = sortByTag(ownTags, ownPos, m);
    ByteBuffer out = ByteBuffer.allocate(4 * m);
    int[] keyIndices = new int[m];
    for (int k = 0; k < m; k++) {
      int i = byTag[k];
      out.putInt(peerPos[i]);
      keyIndices[k] = order[ownPos[i]];
    }
    send(TAG_MATCHES, out.array());
    return keyIndices;
  }

  private int[] followerResult(int[] order, int ownSize, int peerSize) {
    byte[] in = recv(TAG_MATCHES);
    if (in.length % 4 != 0 || in.length / 4 > Math.min(ownSize, peerSize)) {
      throw new PsiException("party " + link.self() + ": " + link.describe(peer) + " sent a match list of "
          + in.length + " bytes for set sizes " + ownSize + " and " + peerSize);
    }
    ByteBuffer b = ByteBuffer.wrap(in);
    int[] keyIndices = new int[in.length / 4];
    for (int k = 0; k < keyIndices.length; k++) {
      int p = b.getInt();
      if (p < 0 || p >= ownSize) {
        throw new PsiException("party " + link.self() + ": " + link.describe(peer) + " sent match position " + p
            + " outside [0, " + ownSize + ")");
      }
      keyIndices[k] = order[p];
    }
    return keyIndices;
  }

  /** Indices 0..m-1 into {@code pos}, ordered by the unsigned 128-bit tag of ownTags at pos[i] (merge sort). */
  static int[] sortByTag(long[] tags, int[] pos, int m) {
    int[] a = new int[m];
    for (int i = 0; i < m; i++) a[i] = i;
    int[] b = new int[m];
    for (int width = 1; width < m; width *= 2) {
      for (int lo = 0; lo < m; lo += 2 * width) {
        int mid = Math.min(lo + width, m), hi = Math.min(lo + 2 * width, m);
        int i = lo, j = mid, o = lo;
        while (i < mid && j < hi) b[o++] = compareTags(tags, pos[a[i]], pos[a[j]]) <= 0 ? a[i++] : a[j++];
        while (i < mid) b[o++] = a[i++];
        while (j < hi) b[o++] = a[j++];
      }
      int[] t = a;
      a = b;
      b = t;
    }
    return a;
  }

  private static int compareTags(long[] tags, int p, int q) {
    int c = Long.compareUnsigned(tags[2 * p], tags[2 * q]);
    return c != 0 ? c : Long.compareUnsigned(tags[2 * p + 1], tags[2 * q + 1]);
  }

  // ---- alignment of 1:N matches ----

  static int[] alignRows(Link link, int peer, PsiResult result) {
    int m = result.size();
    KeyGroups g = result.groups();
    if (!result.ownHasDuplicates() && !result.peerHasDuplicates()) return result.rows();
    if (result.ownHasDuplicates()) {
      ByteBuffer out = ByteBuffer.allocate(4 * m);
      for (int k = 0; k < m; k++) out.putInt(g.multiplicity(result.keyIndex(k)));
      link.sendBytes(peer, TAG_MULTIPLICITIES, out.array());
    }
    int[] peerCounts = new int[m];
    long total = 0;
    if (result.peerHasDuplicates()) {
      byte[] in = link.recvBytes(peer, TAG_MULTIPLICITIES);
      if (in.length != 4 * m) {
        throw new PsiException("party " + link.self() + ": " + link.describe(peer) + " sent " + in.length
            + " bytes of multiplicities for " + m + " matches");
      }
      ByteBuffer b = ByteBuffer.wrap(in);
      for (int k = 0; k < m; k++) {
        peerCounts[k] = b.getInt();
        if (peerCounts[k] < 1) throw new PsiException("party " + link.self() + ": invalid multiplicity from peer");
        total += peerCounts[k];
      }
    } else {
      java.util.Arrays.fill(peerCounts, 1);
      for (int k = 0; k < m; k++) total += g.multiplicity(result.keyIndex(k));
    }
    if (total > Integer.MAX_VALUE - 8) throw new PsiException("the join has more than 2^31 rows");
    int[] out = new int[(int) total];
    int at = 0;
    for (int k = 0; k < m; k++) {
      int[] rows = result.rowsOf(k);
      int repeat = peerCounts[k];
      if (result.leader()) {
        for (int r : rows) for (int c = 0; c < repeat; c++) out[at++] = r; // leader rows outer
      } else {
        for (int c = 0; c < repeat; c++) for (int r : rows) out[at++] = r; // follower rows inner
      }
    }
    return out;
  }

  // ---- helpers ----

  /** A secret uniformly random order of this party's keys, from a fresh AES-CTR stream (Fisher-Yates). */
  private int[] shuffle(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Prg prg = new Prg(Prg.freshSeed(random));
    long[] r = new long[1];
    for (int i = n - 1; i > 0; i--) {
      prg.fill(r, 0, 1);
      int j = (int) Long.remainderUnsigned(r[0], i + 1L); // bias below 2^-33
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private void send(String tag, byte[] payload) {
    link.sendBytes(peer, tag, payload);
    bytesSent += payload.length;
    messagesSent++;
  }

  private byte[] recv(String tag) {
    long t = System.nanoTime();
    byte[] in = link.recvBytes(peer, tag);
    waitNanos += System.nanoTime() - t;
    bytesReceived += in.length;
    return in;
  }

  private PsiException badLength(String tag, int got, int expected) {
    return new PsiException("party " + link.self() + ": " + link.describe(peer) + " sent " + got + " bytes for '"
        + tag + "', expected " + expected);
  }

  /** The parallel kernels: hashing and blinding own keys, re-blinding and tagging the peer's points. */
  private final class Compute {
    private final ForkJoinPool pool;
    private final Blinding blinding;
    private final byte[] dst;

    Compute(ForkJoinPool pool, Blinding blinding, byte[] dst) {
      this.pool = pool;
      this.blinding = blinding;
      this.dst = dst;
    }

    /** H(key)^k for the keys at positions [from, from + len) of the secret order: 32 bytes each. */
    byte[] hashAndBlind(int[] order, int from, int len) {
      byte[] out = new byte[Blinding.POINT * len];
      boolean ro = options.hashToCurve() == PsiOptions.HashToCurve.RANDOM_ORACLE;
      parallel(len, (lo, hi) -> {
        HashToCurve25519 h2c = new HashToCurve25519(dst, ro);
        h2c.hash(i -> groups.key(order[from + i]), lo, hi, out, Blinding.POINT * lo);
        for (int i = lo; i < hi; i++) {
          int off = Blinding.POINT * i;
          blinding.blind(out, off, out, off);
          if (Blinding.isZero(out, off)) {
            throw new PsiException("party " + link.self() + ": a key hashed to a point of small order "
                + "(probability about 2^-250)");
          }
        }
      });
      scalarMults += len;
      return out;
    }

    /** T(P^k) for each of the peer's points P: 16 bytes each. */
    byte[] blindPeer(byte[] points, int len) {
      long t = System.nanoTime();
      byte[] tags = new byte[Blinding.TAG * len];
      parallel(len, (lo, hi) -> {
        MessageDigest sha = Blinding.sha256();
        byte[] z = new byte[Blinding.POINT];
        for (int i = lo; i < hi; i++) {
          int off = Blinding.POINT * i;
          if (!Blinding.canonical(points, off)) {
            throw new PsiException("party " + link.self() + ": " + link.describe(peer)
                + " sent a point that is not a canonical u-coordinate");
          }
          blinding.blind(points, off, z, 0);
          if (Blinding.isZero(z, 0)) {
            throw new PsiException("party " + link.self() + ": " + link.describe(peer)
                + " sent a point of small order");
          }
          Blinding.tag(sha, z, 0, tags, Blinding.TAG * i);
        }
      });
      scalarMults += len;
      peerNanos += System.nanoTime() - t;
      return tags;
    }

    private void parallel(int n, Chunk body) {
      int workers = options.parallelism();
      int chunk = Math.max(16, Math.min(1024, (n + 4 * workers - 1) / (4 * workers)));
      if (workers == 1 || n <= chunk) {
        body.run(0, n);
        return;
      }
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int lo = 0; lo < n; lo += chunk) {
        int from = lo, to = Math.min(n, lo + chunk);
        tasks.add(() -> {
          body.run(from, to);
          return null;
        });
      }
      try {
        for (Future<Void> f : pool.invokeAll(tasks)) f.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) throw re;
        if (cause instanceof Error err) throw err;
        throw new IllegalStateException(cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PsiException("party " + link.self() + ": interrupted while computing PSI");
      }
    }
  }

  @FunctionalInterface
  private interface Chunk {
    void run(int from, int to);
  }
}

package org.sparkspu.engine.psi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.link.RecordingLink;

/** PSI between two parties against a plaintext HashSet intersection, in memory and over Netty. */
class PsiTest {
  private static final PsiOptions OPTIONS = PsiOptions.defaults().withSessionId("psi-test").withParallelism(2);

  /** Key sets with a given overlap: {@code a} and {@code b} in random row order. */
  record Sets(List<byte[]> a, List<byte[]> b) {}

  static Sets sets(long seed, int onlyA, int onlyB, int common) {
    Random r = new Random(seed);
    Set<String> seen = new HashSet<>();
    List<byte[]> a = new ArrayList<>(), b = new ArrayList<>();
    for (int i = 0; i < onlyA + onlyB + common; i++) {
      byte[] k = fresh(r, seen);
      if (i < onlyA) a.add(k);
      else if (i < onlyA + onlyB) b.add(k);
      else {
        a.add(k);
        b.add(k.clone()); // equal content, distinct arrays
      }
    }
    Collections.shuffle(a, r);
    Collections.shuffle(b, r);
    return new Sets(a, b);
  }

  private static byte[] fresh(Random r, Set<String> seen) {
    while (true) {
      byte[] k = new byte[4 + r.nextInt(20)];
      r.nextBytes(k);
      if (seen.add(HexFormat.of().formatHex(k))) return k;
    }
  }

  /** Runs PSI with party 0 holding a and party 1 holding b. */
  static List<PsiResult> psi(boolean netty, Sets s, PsiOptions oa, PsiOptions ob) {
    Parties.Program<PsiResult> program = link -> link.self() == 0 ? Psi.run(link, 1, s.a, oa) : Psi.run(link, 0, s.b, ob);
    var out = netty ? Parties.netty(2, program) : Parties.inMemory(2, program);
    return List.of(out.get(0).get(), out.get(1).get());
  }

  /** The results equal the plaintext intersection, aligned: a[rowsA[k]] equals b[rowsB[k]]. */
  static void assertCorrect(Sets s, List<PsiResult> r) {
    Set<String> inA = new HashSet<>();
    for (byte[] k : s.a) inA.add(HexFormat.of().formatHex(k));
    Set<String> both = new HashSet<>();
    for (byte[] k : s.b) if (inA.contains(HexFormat.of().formatHex(k))) both.add(HexFormat.of().formatHex(k));
    PsiResult ra = r.get(0), rb = r.get(1);
    assertEquals(both.size(), ra.size(), "intersection size at party 0");
    assertEquals(both.size(), rb.size(), "intersection size at party 1");
    int[] rowsA = ra.rows(), rowsB = rb.rows();
    Set<String> got = new HashSet<>();
    for (int k = 0; k < rowsA.length; k++) {
      assertArrayEquals(s.a.get(rowsA[k]), s.b.get(rowsB[k]), "match " + k + " is aligned");
      got.add(HexFormat.of().formatHex(s.a.get(rowsA[k])));
    }
    assertEquals(both, got);
    assertEquals(s.a.size(), ra.ownSize());
    assertEquals(s.b.size(), ra.peerSize());
    assertEquals(s.b.size(), rb.ownSize());
    assertEquals(s.a.size(), rb.peerSize());
    assertTrue(ra.leader());
    assertFalse(rb.leader());
  }

  @Test
  void partialOverlapInMemoryWithSeveralBatches() {
    Sets s = sets(1, 300, 200, 250);
    List<PsiResult> r = psi(false, s, OPTIONS.withBatchSize(64), OPTIONS.withBatchSize(100));
    assertCorrect(s, r);
    // Exact traffic: hello, 32 bytes per own key, then the follower's 16-byte tags, the leader's 4-byte positions.
    int na = s.a.size(), nb = s.b.size(), m = r.get(0).size();
    assertEquals(PsiRun.HELLO_BYTES + 32L * na + 4L * m, r.get(0).stats().bytesSent());
    assertEquals(PsiRun.HELLO_BYTES + 32L * nb + 16L * na, r.get(1).stats().bytesSent());
    assertEquals(r.get(0).stats().bytesSent(), r.get(1).stats().bytesReceived());
    assertEquals(na + nb, r.get(0).stats().scalarMults());
    assertEquals(na + nb, r.get(1).stats().scalarMults());
  }

  @Test
  void partialOverlapOverNettyLoopback() {
    Sets s = sets(2, 400, 350, 300);
    assertCorrect(s, psi(true, s, OPTIONS.withBatchSize(128), OPTIONS.withBatchSize(256)));
  }

  @Test
  void emptyIntersection() {
    Sets s = sets(3, 120, 90, 0);
    assertCorrect(s, psi(false, s, OPTIONS, OPTIONS));
  }

  @Test
  void fullIntersectionInDifferentRowOrders() {
    Sets s = sets(4, 0, 0, 333);
    assertCorrect(s, psi(false, s, OPTIONS.withBatchSize(50), OPTIONS.withBatchSize(50)));
  }

  @Test
  void unequalSizesBothWays() {
    Sets s = sets(5, 600, 3, 20);
    assertCorrect(s, psi(false, s, OPTIONS.withBatchSize(100), OPTIONS.withBatchSize(7)));
    Sets t = sets(6, 3, 600, 20);
    assertCorrect(t, psi(true, t, OPTIONS.withBatchSize(7), OPTIONS.withBatchSize(100)));
  }

  @Test
  void oneSideEmptyAndBothEmpty() {
    assertCorrect(sets(7, 50, 0, 0), psi(false, sets(7, 50, 0, 0), OPTIONS, OPTIONS));
    assertCorrect(sets(8, 0, 50, 0), psi(false, sets(8, 0, 50, 0), OPTIONS, OPTIONS));
    assertCorrect(sets(9, 0, 0, 0), psi(false, sets(9, 0, 0, 0), OPTIONS, OPTIONS));
  }

  @Test
  void singleElements() {
    assertCorrect(sets(10, 0, 0, 1), psi(false, sets(10, 0, 0, 1), OPTIONS, OPTIONS));
    assertCorrect(sets(11, 1, 1, 0), psi(false, sets(11, 1, 1, 0), OPTIONS, OPTIONS));
  }

  @Test
  void encodeToCurveVariantAndSingleThread() {
    Sets s = sets(12, 40, 30, 25);
    PsiOptions nu = OPTIONS.withHashToCurve(PsiOptions.HashToCurve.NONUNIFORM).withParallelism(1);
    assertCorrect(s, psi(false, s, nu, nu.withParallelism(3)));
  }

  @Test
  void nullKeysNeverMatchAndKeepRowNumbers() {
    Sets s = sets(13, 10, 10, 10);
    List<byte[]> a = new ArrayList<>(s.a), b = new ArrayList<>(s.b);
    a.add(0, null);
    a.add(null);
    b.add(5, null);
    Sets withNulls = new Sets(a, b);
    List<PsiResult> r = psi(false, withNulls, OPTIONS, OPTIONS);
    assertEquals(10, r.get(0).size());
    assertEquals(s.a.size(), r.get(0).ownSize(), "nulls are not counted or sent");
    int[] ra = r.get(0).rows(), rb = r.get(1).rows();
    for (int k = 0; k < ra.length; k++) assertArrayEquals(a.get(ra[k]), b.get(rb[k]));
  }

  @Test
  void threePartySessionRunsPsiBetweenTwoOfItsEndpoints() {
    Sets s = sets(14, 30, 40, 20);
    var out = Parties.inMemory(3, link -> switch (link.self()) {
      case 0 -> Psi.run(link, 2, s.a, OPTIONS);
      case 2 -> Psi.run(link, 0, s.b, OPTIONS);
      default -> null; // endpoint 1 takes no part
    });
    assertCorrect(s, List.of(out.get(0).get(), out.get(2).get()));
    // Endpoints 2 and 1: the follower-as-lower-id case.
    var swapped = Parties.inMemory(3, link -> switch (link.self()) {
      case 1 -> Psi.run(link, 2, s.a, OPTIONS);
      case 2 -> Psi.run(link, 1, s.b, OPTIONS);
      default -> null;
    });
    assertCorrect(s, List.of(swapped.get(1).get(), swapped.get(2).get()));
  }

  @Test
  void duplicatesOnOneSideAreGroupedAndExpandedToJoinRows() {
    // Party 1 (the N side) repeats keys; party 0 (the 1 side) has distinct keys.
    Sets s = sets(15, 40, 30, 25);
    Random r = new Random(15);
    List<byte[]> many = new ArrayList<>(s.b);
    for (int i = 0; i < 60; i++) many.add(s.b.get(r.nextInt(s.b.size())).clone());
    Collections.shuffle(many, r);
    var out = Parties.inMemory(2, link -> {
      PsiResult res = link.self() == 0 ? Psi.run(link, 1, s.a, OPTIONS)
          : Psi.run(link, 0, KeyGroups.of(many), OPTIONS);
      return new Object[] {res, Psi.alignRows(link, 1 - link.self(), res)};
    });
    PsiResult ra = (PsiResult) out.get(0).get()[0], rb = (PsiResult) out.get(1).get()[0];
    int[] ja = (int[]) out.get(0).get()[1], jb = (int[]) out.get(1).get()[1];
    assertFalse(ra.ownHasDuplicates());
    assertTrue(ra.peerHasDuplicates());
    assertTrue(rb.ownHasDuplicates());
    // Matches of distinct keys are aligned; rowsOf expands the N side.
    for (int k = 0; k < ra.size(); k++) {
      for (int row : rb.rowsOf(k)) assertArrayEquals(s.a.get(ra.rows()[k]), many.get(row));
    }
    // The expanded join equals the plaintext join: every (a row, b row) pair with equal keys, once.
    Map<String, Integer> rowOfA = new HashMap<>();
    for (int i = 0; i < s.a.size(); i++) rowOfA.put(HexFormat.of().formatHex(s.a.get(i)), i);
    Set<String> want = new HashSet<>();
    for (int j = 0; j < many.size(); j++) {
      Integer i = rowOfA.get(HexFormat.of().formatHex(many.get(j)));
      if (i != null) want.add(i + "-" + j);
    }
    assertEquals(ja.length, jb.length);
    Set<String> got = new HashSet<>();
    for (int k = 0; k < ja.length; k++) {
      assertArrayEquals(s.a.get(ja[k]), many.get(jb[k]));
      got.add(ja[k] + "-" + jb[k]);
    }
    assertEquals(want.size(), ja.length, "each join pair once");
    assertEquals(want, got);
  }

  @Test
  void keyGroupsKeepRowListsAndMultiplicities() {
    byte[] x = {1}, y = {2}, z = {3};
    KeyGroups g = KeyGroups.of(Arrays.asList(x, y, null, x.clone(), z, x.clone(), y.clone()));
    assertEquals(7, g.rowCount());
    assertEquals(1, g.nullRows());
    assertEquals(3, g.size());
    assertTrue(g.hasDuplicates());
    assertArrayEquals(new int[] {0, 3, 5}, g.rows(0));
    assertArrayEquals(new int[] {1, 6}, g.rows(1));
    assertArrayEquals(new int[] {4}, g.rows(2));
    assertEquals(3, g.multiplicity(0));
    assertArrayEquals(new int[] {4, 0, 3, 5}, g.expand(new int[] {2, 0}));
    assertFalse(KeyGroups.of(List.of(x, y, z)).hasDuplicates());
  }

  @Test
  void duplicatesOnBothSidesAreRefusedByBothParties() {
    byte[] secret = "secret-key-value".getBytes();
    List<byte[]> a = List.of(secret, secret.clone(), new byte[] {1});
    List<byte[]> b = List.of(new byte[] {1}, secret.clone(), secret.clone());
    var out = Parties.inMemory(2, link -> Psi.run(link, 1 - link.self(), KeyGroups.of(link.self() == 0 ? a : b),
        OPTIONS));
    for (var o : out) {
      assertInstanceOf(DuplicateKeysException.class, o.error());
      assertTrue(o.error().getMessage().contains("N:M"), o.error().getMessage());
      assertNoKeyIn(o.error().getMessage(), secret);
    }
  }

  @Test
  void rawDuplicatesAreRefusedBeforeAnyKeyIsSent() {
    byte[] secret = "another-secret".getBytes();
    List<byte[]> a = List.of(new byte[] {9}, secret, secret.clone());
    List<byte[]> b = List.of(secret.clone(), new byte[] {8});
    RecordingLink[] follower = new RecordingLink[1];
    var out = Parties.inMemory(2, link -> {
      if (link.self() == 0) return Psi.run(link, 1, a, OPTIONS);
      follower[0] = new RecordingLink(link);
      return Psi.run(follower[0], 0, b, OPTIONS);
    });
    Throwable own = out.get(0).error(), peer = out.get(1).error();
    assertInstanceOf(DuplicateKeysException.class, own);
    assertTrue(own.getMessage().contains("rows 1 and 2"), own.getMessage());
    assertTrue(own.getMessage().contains("KeyGroups.of"), own.getMessage());
    assertInstanceOf(PsiException.class, peer);
    assertTrue(peer.getMessage().contains("refused"), peer.getMessage());
    assertNoKeyIn(own.getMessage(), secret);
    // The peer received the hello only.
    assertEquals(List.of(PsiRun.TAG_HELLO), follower[0].received().stream().map(RecordingLink.Received::tag).toList());
  }

  @Test
  void differentSessionIdsFailOnBothSides() {
    Sets s = sets(16, 5, 5, 5);
    var out = Parties.inMemory(2, link -> link.self() == 0 ? Psi.run(link, 1, s.a, OPTIONS.withSessionId("one"))
        : Psi.run(link, 0, s.b, OPTIONS.withSessionId("two")));
    for (var o : out) {
      assertInstanceOf(PsiException.class, o.error());
      assertTrue(o.error().getMessage().contains("disagree on the PSI session"), o.error().getMessage());
    }
  }

  private static void assertNoKeyIn(String message, byte[] key) {
    assertFalse(message.contains(new String(key)), message);
    assertFalse(message.toLowerCase().contains(HexFormat.of().formatHex(key)), message);
  }

  /**
   * What a party receives: no raw key, and no point equal to the plain hash to curve of any key of
   * either party (before or after cofactor clearing); only points blinded by a secret scalar, and
   * 128-bit tags that equal no plain hash either.
   */
  @Test
  void peersReceiveOnlyBlindedValues() {
    Sets s = sets(17, 60, 50, 40);
    RecordingLink[] links = new RecordingLink[2];
    var out = Parties.inMemory(2, link -> {
      links[link.self()] = new RecordingLink(link);
      return link.self() == 0 ? Psi.run(links[0], 1, s.a, OPTIONS.withBatchSize(32))
          : Psi.run(links[1], 0, s.b, OPTIONS.withBatchSize(32));
    });
    assertCorrect(s, List.of(out.get(0).get(), out.get(1).get()));

    // The DST of this run: the leader's nonce arrives in its hello, the last 16 bytes.
    byte[] leaderHello = links[1].received().get(0).bytes();
    byte[] nonce = Arrays.copyOfRange(leaderHello, leaderHello.length - PsiRun.NONCE, leaderHello.length);
    HashToCurve25519 h2c = new HashToCurve25519(PsiRun.dst(OPTIONS, nonce), true);
    Set<String> plain = new HashSet<>(); // every 32-byte plain hash and its 16-byte prefix
    List<byte[]> allKeys = new ArrayList<>(s.a);
    allKeys.addAll(s.b);
    for (byte[] k : allKeys) {
      byte[] u = h2c.hash(k);
      for (byte[] form : List.of(u, HashToCurve25519.clearCofactor(u))) {
        plain.add(HexFormat.of().formatHex(form));
        plain.add(HexFormat.of().formatHex(form, 0, 16));
      }
    }
    int points = 0, tags = 0;
    for (RecordingLink link : links) {
      for (RecordingLink.Received m : link.received()) {
        assertNotNull(m.bytes(), "PSI sends bytes only");
        for (byte[] k : allKeys) {
          assertFalse(contains(m.bytes(), k), "a raw key reached party " + link.self() + " in '" + m.tag() + "'");
        }
        int width = switch (m.tag()) {
          case PsiRun.TAG_BLINDED -> 32;
          case PsiRun.TAG_DOUBLE -> 16;
          default -> 0;
        };
        for (int off = 0; width > 0 && off < m.bytes().length; off += width) {
          String v = HexFormat.of().formatHex(m.bytes(), off, off + width);
          assertFalse(plain.contains(v), "an unblinded hash reached party " + link.self() + " in '" + m.tag() + "'");
          if (width == 32) points++;
          else tags++;
        }
      }
    }
    assertEquals(s.a.size() + s.b.size(), points);
    assertEquals(s.a.size(), tags);
    // The matches message carries positions only: 4 bytes per match.
    byte[] matches = links[1].received().stream().filter(m -> m.tag().equals(PsiRun.TAG_MATCHES)).findFirst()
        .orElseThrow().bytes();
    assertEquals(4 * out.get(0).get().size(), matches.length);
    ByteBuffer positions = ByteBuffer.wrap(matches);
    while (positions.hasRemaining()) assertTrue(positions.getInt() < s.b.size());
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  @Test
  void canonicalOrderIsSortedByTagNotByRowOrder() {
    Sets s = sets(18, 0, 0, 200);
    List<PsiResult> r = psi(false, s, OPTIONS, OPTIONS);
    int[] rows = r.get(0).rows();
    int ascending = 0;
    for (int k = 1; k < rows.length; k++) if (rows[k] > rows[k - 1]) ascending++;
    assertTrue(ascending > 50 && ascending < 150, "the order is not the leader's row order: " + ascending);
  }

  @Test
  void sortByTagOrdersUnsigned() {
    long[] tags = {-1L, 0L, 5L, 1L, 5L, 0L, Long.MIN_VALUE, 7L};
    int[] pos = {0, 1, 2, 3};
    int[] order = PsiRun.sortByTag(tags, pos, 4);
    // tags: pos0 = (-1, 0), pos1 = (5, 1), pos2 = (5, 0), pos3 = (MIN, 7); unsigned: pos2 < pos1 < pos3 < pos0
    assertArrayEquals(new int[] {2, 1, 3, 0}, order);
  }
}

package org.sparkspu.engine.psi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.junit.jupiter.api.Test;

/**
 * Hashing to curve25519 against the test vectors of RFC 9380 appendix J.4.1 (RO) and J.4.2 (NU),
 * Elligator 2 against a plain BigInteger transcription of the generic map (section 6.7.1) on random
 * inputs, and the commutativity of X25519 blinding.
 */
class HashToCurve25519Test {
  private static final BigInteger P = Fe.P;
  private static final BigInteger A = BigInteger.valueOf(486662);
  private static final String Q128 = "q128_" + "q".repeat(128);
  private static final String A512 = "a512_" + "a".repeat(512);

  /** msg, P.x, u[0], u[1], Q0.x, Q0.y, Q1.x, Q1.y (RFC 9380 J.4.1, big-endian hex). */
  private static final String[][] RO = {
    {"", "2de3780abb67e861289f5749d16d3e217ffa722192d16bbd9d1bfb9d112b98c0",
        "005fe8a7b8fef0a16c105e6cadf5a6740b3365e18692a9c05bfbb4d97f645a6a",
        "1347edbec6a2b5d8c02e058819819bee177077c9d10a4ce165aab0fd0252261a",
        "36b4df0c864c64707cbf6cf36e9ee2c09a6cb93b28313c169be29561bb904f98",
        "6cd59d664fb58c66c892883cd0eb792e52055284dac3907dd756b45d15c3983d",
        "3fa114783a505c0b2b2fbeef0102853c0b494e7757f2a089d0daae7ed9a0db2b",
        "76c0fe7fec932aaafb8eefb42d9cbb32eb931158f469ff3050af15cfdbbeff94"},
    {"abc", "2b4419f1f2d48f5872de692b0aca72cc7b0a60915dd70bde432e826b6abc526d",
        "49bed021c7a3748f09fa8cdfcac044089f7829d3531066ac9e74e0994e05bc7d",
        "5c36525b663e63389d886105cee7ed712325d5a97e60e140aba7e2ce5ae851b6",
        "16b3d86e056b7970fa00165f6f48d90b619ad618791661b7b5e1ec78be10eac1",
        "4ab256422d84c5120b278cbdfc4e1facc5baadffeccecf8ee9bf3946106d50ca",
        "7ec29ddbf34539c40adfa98fcb39ec36368f47f30e8f888cc7e86f4d46e0c264",
        "10d1abc1cae2d34c06e247f2141ba897657fb39f1080d54f09ce0af128067c74"},
    {"abcdef0123456789", "68ca1ea5a6acf4e9956daa101709b1eee6c1bb0df1de3b90d4602382a104c036",
        "6412b7485ba26d3d1b6c290a8e1435b2959f03721874939b21782df17323d160",
        "24c7b46c1c6d9a21d32f5707be1380ab82db1054fde82865d5c9e3d968f287b2",
        "71de3dadfe268872326c35ac512164850860567aea0e7325e6b91a98f86533ad",
        "26a08b6e9a18084c56f2147bf515414b9b63f1522e1b6c5649f7d4b0324296ec",
        "5704069021f61e41779e2ba6b932268316d6d2a6f064f997a22fef16d1eaeaca",
        "50483c7540f64fb4497619c050f2c7fe55454ec0f0e79870bb44302e34232210"},
    {Q128, "096e9c8bae6c06b554c1ee69383bb0e82267e064236b3a30608d4ed20b73ac5a",
        "5e123990f11bbb5586613ffabdb58d47f64bb5f2fa115f8ea8df0188e0c9e1b5",
        "5e8553eb00438a0bb1e7faa59dec6d8087f9c8011e5fb8ed9df31cb6c0d4ac19",
        "7a94d45a198fb5daa381f45f2619ab279744efdd8bd8ed587fc5b65d6cea1df0",
        "67d44f85d376e64bb7d713585230cdbfafc8e2676f7568e0b6ee59361116a6e1",
        "30506fb7a32136694abd61b6113770270debe593027a968a01f271e146e60c18",
        "7eeee0e706b40c6b5174e551426a67f975ad5a977ee2f01e8e20a6d612458c3b"},
    {A512, "1bc61845a138e912f047b5e70ba9606ba2a447a4dade024c8ef3dd42b7bbc5fe",
        "20f481e85da7a3bf60ac0fb11ed1d0558fc6f941b3ac5469aa8b56ec883d6d7d",
        "017d57fd257e9a78913999a23b52ca988157a81b09c5442501d07fed20869465",
        "02d606e2699b918ee36f2818f2bc5013e437e673c9f9b9cdc15fd0c5ee913970",
        "29e9dc92297231ef211245db9e31767996c5625dfbf92e1c8107ef887365de1e",
        "38920e9b988d1ab7449c0fa9a6058192c0c797bb3d42ac345724341a1aa98745",
        "24dcc1be7c4d591d307e89049fd2ed30aae8911245a9d8554bf6032e5aa40d3d"},
  };

  /** msg, P.x, u[0], Q.x, Q.y (RFC 9380 J.4.2). */
  private static final String[][] NU = {
    {"", "1bb913f0c9daefa0b3375378ffa534bda5526c97391952a7789eb976edfe4d08",
        "608d892b641f0328523802a6603427c26e55e6f27e71a91a478148d45b5093cd",
        "51125222da5e763d97f3c10fcc92ea6860b9ccbbd2eb1285728f566721c1e65b",
        "343d2204f812d3dfc5304a5808c6c0d81a903a5d228b342442aa3c9ba5520a3d"},
    {"abc", "7c22950b7d900fa866334262fcaea47a441a578df43b894b4625c9b450f9a026",
        "46f5b22494bfeaa7f232cc8d054be68561af50230234d7d1d63d1d9abeca8da5",
        "7d56d1e08cb0ccb92baf069c18c49bb5a0dcd927eff8dcf75ca921ef7f3e6eeb",
        "404d9a7dc25c9c05c44ab9a94590e7c3fe2dcec74533a0b24b188a5d5dacf429"},
    {"abcdef0123456789", "31ad08a8b0deeb2a4d8b0206ca25f567ab4e042746f792f4b7973f3ae2096c52",
        "235fe40c443766ce7e18111c33862d66c3b33267efa50d50f9e8e5d252a40aaa",
        "3fbe66b9c9883d79e8407150e7c2a1c8680bee496c62fabe4619a72b3cabe90f",
        "08ec476147c9a0a3ff312d303dbbd076abb7551e5fce82b48ab14b433f8d0a7b"},
    {Q128, "027877759d155b1997d0d84683a313eb78bdb493271d935b622900459d52ceaa",
        "001e92a544463bda9bd04ddbe3d6eed248f82de32f522669efc5ddce95f46f5b",
        "227e0bb89de700385d19ec40e857db6e6a3e634b1c32962f370d26f84ff19683",
        "5f86ff3851d262727326a32c1bf7655a03665830fa7f1b8b1e5a09d85bc66e4a"},
    {A512, "5fd892c0958d1a75f54c3182a18d286efab784e774d1e017ba2fb252998b5dc1",
        "1a68a1af9f663592291af987203393f707305c7bac9c8d63d6a729bdc553dc19",
        "3bcd651ee54d5f7b6013898aab251ee8ecc0688166fce6e9548d38472f6bd196",
        "1bb36ad9197299f111b4ef21271c41f4b7ecf5543db8bb5931307ebdb2eaa465"},
  };

  private static final byte[] DST_RO = "QUUX-V01-CS02-with-curve25519_XMD:SHA-512_ELL2_RO_".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DST_NU = "QUUX-V01-CS02-with-curve25519_XMD:SHA-512_ELL2_NU_".getBytes(StandardCharsets.US_ASCII);

  private static BigInteger hex(String s) {
    return new BigInteger(s, 16);
  }

  private static BigInteger le(byte[] u) {
    byte[] be = new byte[33];
    for (int i = 0; i < 32; i++) be[32 - i] = u[i];
    return new BigInteger(be);
  }

  private static byte[] msg(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void hashToCurveMatchesRfc9380Vectors() {
    HashToCurve25519 h = new HashToCurve25519(DST_RO, true);
    for (String[] v : RO) {
      BigInteger[] u = h.hashToFieldForTest(msg(v[0]), 2);
      assertEquals(hex(v[2]), u[0], "u[0] of '" + v[0] + "'");
      assertEquals(hex(v[3]), u[1], "u[1] of '" + v[0] + "'");
      assertMapsTo(h, u[0], hex(v[4]), hex(v[5]));
      assertMapsTo(h, u[1], hex(v[6]), hex(v[7]));
      byte[] q = h.hash(msg(v[0])); // u(Q0 + Q1)
      assertEquals(addX(hex(v[4]), hex(v[5]), hex(v[6]), hex(v[7])), le(q), "u(Q0 + Q1) of '" + v[0] + "'");
      assertEquals(hex(v[1]), le(HashToCurve25519.clearCofactor(q)), "P.x of '" + v[0] + "'");
    }
  }

  @Test
  void encodeToCurveMatchesRfc9380Vectors() {
    HashToCurve25519 h = new HashToCurve25519(DST_NU, false);
    for (String[] v : NU) {
      BigInteger[] u = h.hashToFieldForTest(msg(v[0]), 1);
      assertEquals(hex(v[2]), u[0], "u[0] of '" + v[0] + "'");
      assertMapsTo(h, u[0], hex(v[3]), hex(v[4]));
      byte[] q = h.hash(msg(v[0]));
      assertEquals(hex(v[3]), le(q), "Q.x of '" + v[0] + "'");
      assertEquals(hex(v[1]), le(HashToCurve25519.clearCofactor(q)), "P.x of '" + v[0] + "'");
    }
  }

  private static void assertMapsTo(HashToCurve25519 h, BigInteger u, BigInteger x, BigInteger y) {
    BigInteger[] got = map(h, u);
    assertEquals(x, got[0], "map x");
    assertEquals(y, got[1], "map y");
  }

  private static BigInteger[] map(HashToCurve25519 h, BigInteger u) {
    int[] xn = X25519Field.create(), xd = X25519Field.create(), y = X25519Field.create();
    h.map(Fe.of(u), xn, xd, y);
    BigInteger x = Fe.toBigInteger(xn).multiply(Fe.toBigInteger(xd).modInverse(P)).mod(P);
    return new BigInteger[] {x, Fe.toBigInteger(y)};
  }

  /** Affine x of (x0, y0) + (x1, y1) on v^2 = u^3 + A u^2 + u. */
  private static BigInteger addX(BigInteger x0, BigInteger y0, BigInteger x1, BigInteger y1) {
    BigInteger l = y1.subtract(y0).multiply(x1.subtract(x0).modInverse(P)).mod(P);
    return l.multiply(l).subtract(A).subtract(x0).subtract(x1).mod(P);
  }

  /** RFC 9380 section 6.7.1, generic Elligator 2 with Z = 2, K = 1, in BigInteger arithmetic. */
  private static BigInteger[] referenceMap(BigInteger u) {
    BigInteger two = BigInteger.TWO;
    BigInteger x1 = A.negate().multiply(BigInteger.ONE.add(two.multiply(u).multiply(u)).modInverse(P)).mod(P);
    BigInteger gx1 = g(x1);
    BigInteger x2 = x1.negate().subtract(A).mod(P);
    BigInteger gx2 = g(x2);
    boolean first = isSquare(gx1);
    BigInteger x = first ? x1 : x2;
    BigInteger y = sqrt(first ? gx1 : gx2);
    int wantSign = first ? 1 : 0;
    if (y.testBit(0) != (wantSign == 1)) y = P.subtract(y).mod(P);
    return new BigInteger[] {x, y};
  }

  private static BigInteger g(BigInteger x) {
    return x.pow(3).add(A.multiply(x.pow(2))).add(x).mod(P);
  }

  private static boolean isSquare(BigInteger a) {
    return a.signum() == 0 || a.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
  }

  /** A square root for p = 5 (mod 8) (Atkin-style: candidate a^((p+3)/8), times sqrt(-1) if needed). */
  private static BigInteger sqrt(BigInteger a) {
    BigInteger r = a.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
    if (!r.multiply(r).mod(P).equals(a.mod(P))) {
      r = r.multiply(BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P)).mod(P);
    }
    assertEquals(a.mod(P), r.multiply(r).mod(P), "square root");
    return r;
  }

  @Test
  void straightLineMapEqualsGenericElligator2OnRandomInputs() {
    HashToCurve25519 h = new HashToCurve25519(DST_RO, true);
    Random rnd = new Random(7);
    int firstBranch = 0;
    for (int i = 0; i < 300; i++) {
      BigInteger u = new BigInteger(255, rnd).mod(P);
      if (i == 0) u = BigInteger.ZERO;
      if (i == 1) u = P.subtract(BigInteger.ONE);
      BigInteger[] want = referenceMap(u);
      if (isSquare(g(referenceMapX1(u)))) firstBranch++;
      assertArrayEquals(want, map(h, u), "u = " + u.toString(16));
      assertEquals(g(want[0]), want[1].multiply(want[1]).mod(P), "on the curve");
    }
    assertTrue(firstBranch > 50 && firstBranch < 250, "both branches exercised: " + firstBranch);
  }

  private static BigInteger referenceMapX1(BigInteger u) {
    return A.negate().multiply(BigInteger.ONE.add(BigInteger.TWO.multiply(u).multiply(u)).modInverse(P)).mod(P);
  }

  @Test
  void pointAdditionHandlesEqualPointsByDoubling() {
    // u(2Q) from the x-only doubling equals the affine tangent rule.
    HashToCurve25519 h = new HashToCurve25519(DST_RO, true);
    BigInteger[] q = map(h, BigInteger.valueOf(12345));
    int[] x = Fe.of(q[0]), z = X25519Field.create(), x2 = X25519Field.create(), z2 = X25519Field.create();
    X25519Field.one(z);
    HashToCurve25519.doubleU(x, z, x2, z2);
    BigInteger got = Fe.toBigInteger(x2).multiply(Fe.toBigInteger(z2).modInverse(P)).mod(P);
    BigInteger three = BigInteger.valueOf(3);
    BigInteger l = three.multiply(q[0].pow(2)).add(BigInteger.TWO.multiply(A).multiply(q[0])).add(BigInteger.ONE)
        .multiply(BigInteger.TWO.multiply(q[1]).modInverse(P)).mod(P);
    assertEquals(l.multiply(l).subtract(A).subtract(q[0].shiftLeft(1)).mod(P), got);
  }

  @Test
  void batchedHashEqualsOneByOne() {
    HashToCurve25519 h = new HashToCurve25519(msg("batch-test"), true);
    byte[][] keys = new byte[37][];
    for (int i = 0; i < keys.length; i++) keys[i] = ("key-" + i).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[32 * keys.length];
    h.hash(i -> keys[i], 0, keys.length, out, 0);
    for (int i = 0; i < keys.length; i++) {
      assertArrayEquals(h.hash(keys[i]), Arrays.copyOfRange(out, 32 * i, 32 * i + 32));
    }
  }

  @Test
  void longDomainSeparationTagIsHashedAsRfc9380Prescribes() {
    byte[] longDst = ("x".repeat(300)).getBytes(StandardCharsets.US_ASCII);
    byte[] a = new HashToCurve25519(longDst, true).hash(msg("k"));
    byte[] b = new HashToCurve25519(Arrays.copyOf(longDst, 299), true).hash(msg("k"));
    assertFalse(Arrays.equals(a, b));
    assertFalse(Arrays.equals(a, new HashToCurve25519(msg("other"), true).hash(msg("k"))));
  }

  @Test
  void canonicalReductionMatchesBigInteger() {
    Random rnd = new Random(3);
    BigInteger[] edge = {BigInteger.ZERO, BigInteger.ONE, P.subtract(BigInteger.ONE), P, P.add(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE)};
    for (BigInteger v : edge) {
      int[] x = X25519Field.create();
      X25519Field.decode(Fe.toLittleEndian32(v), 0, x);
      assertEquals(v.mod(P), Fe.toBigInteger(x), "value " + v.toString(16));
    }
    for (int i = 0; i < 200; i++) {
      BigInteger a = new BigInteger(255, rnd).mod(P), b = new BigInteger(255, rnd).mod(P);
      int[] z = X25519Field.create();
      X25519Field.sub(Fe.of(a), Fe.of(b), z);
      assertEquals(a.subtract(b).mod(P), Fe.toBigInteger(z));
      X25519Field.mul(Fe.of(a), Fe.of(b), z);
      assertEquals(a.multiply(b).mod(P), Fe.toBigInteger(z));
    }
  }

  @Test
  void blindingCommutesAndStaysInPlace() {
    SecureRandom r = new SecureRandom();
    HashToCurve25519 h = new HashToCurve25519(msg("commute"), true);
    for (int i = 0; i < 20; i++) {
      Blinding a = new Blinding(r), b = new Blinding(r);
      byte[] p = h.hash(("key" + i).getBytes(StandardCharsets.UTF_8));
      byte[] pa = new byte[32], pb = new byte[32], pab = new byte[32], pba = new byte[32];
      a.blind(p, 0, pa, 0);
      b.blind(p, 0, pb, 0);
      b.blind(pa, 0, pab, 0);
      a.blind(pb, 0, pba, 0);
      assertArrayEquals(pab, pba, "commutative");
      assertFalse(Arrays.equals(pa, pb));
      assertNotEquals(0, le(pab).signum());
      byte[] inPlace = p.clone();
      a.blind(inPlace, 0, inPlace, 0);
      assertArrayEquals(pa, inPlace, "in-place blinding");
      assertTrue(Blinding.canonical(pa, 0));
    }
  }

  @Test
  void nonCanonicalAndSmallOrderPointsAreRecognised() {
    assertFalse(Blinding.canonical(Fe.toLittleEndian32(P), 0));
    assertFalse(Blinding.canonical(Fe.toLittleEndian32(BigInteger.ONE.shiftLeft(255)), 0));
    assertTrue(Blinding.canonical(Fe.toLittleEndian32(P.subtract(BigInteger.ONE)), 0));
    // u = 0 is the point of order 2: any clamped scalar sends it to the identity (all-zero output).
    byte[] out = new byte[32];
    new Blinding(new SecureRandom()).blind(new byte[32], 0, out, 0);
    assertTrue(Blinding.isZero(out, 0));
    assertEquals("00", HexFormat.of().formatHex(out, 0, 1));
  }
}

package org.sparkspu.engine.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RingTensorTest {
  private static RingTensor random(Random r, int... dims) {
    Shape s = Shape.of(dims);
    long[] d = new long[s.size()];
    for (int i = 0; i < d.length; i++) d[i] = r.nextLong();
    return RingTensor.wrap(d, s);
  }

  private static long[] naiveMatmul(long[] a, long[] b, int m, int k, int n) {
    long[] c = new long[m * n];
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
      long s = 0;
      for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
    return c;
  }

  @Test
  void arithmeticWrapsModulo2To64() {
    RingTensor a = RingTensor.vector(Long.MAX_VALUE, Long.MIN_VALUE, -1);
    RingTensor b = RingTensor.vector(1, -1, -1);
    assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -2}, a.add(b).data());
    assertArrayEquals(new long[] {Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 0}, a.sub(b).data());
    assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 1}, a.mul(RingTensor.vector(1, 1, -1)).data());
    assertArrayEquals(new long[] {-Long.MAX_VALUE, Long.MIN_VALUE, 1}, a.neg().data());
  }

  @Test
  void matmulMatchesNaiveLoopOnSmallAndParallelSizes() {
    Random r = new Random(1);
    int[][] sizes = {{1, 1, 1}, {3, 5, 2}, {17, 130, 33}, {128, 128, 128}, {0, 4, 3}};
    for (int[] s : sizes) {
      RingTensor a = random(r, s[0], s[1]), b = random(r, s[1], s[2]);
      assertArrayEquals(naiveMatmul(a.data(), b.data(), s[0], s[1], s[2]), a.matmul(b).data());
    }
    assertThrows(IllegalArgumentException.class, () -> random(r, 2, 3).matmul(random(r, 2, 3)));
  }

  @Test
  void shiftsAndBitwiseOps() {
    RingTensor a = RingTensor.vector(-8, 8, 0xF0);
    assertArrayEquals(new long[] {-2, 2, 0x3C}, a.shiftRightArith(2).data());
    assertArrayEquals(new long[] {-8L >>> 2, 2, 0x3C}, a.shiftRightLogical(2).data());
    assertArrayEquals(new long[] {-32, 32, 0x3C0}, a.shiftLeft(2).data());
    RingTensor b = RingTensor.vector(0xFF, 0x0F, 0x3C);
    assertArrayEquals(new long[] {-8 & 0xFF, 8 & 0x0F, 0x30}, a.and(b).data());
    assertArrayEquals(new long[] {-8 ^ 0xFF, 8 ^ 0x0F, 0xCC}, a.xor(b).data());
    assertArrayEquals(new long[] {7, -9, ~0xF0L}, a.not().data());
  }

  @Test
  void structuralOpsKeepValues() {
    Random r = new Random(2);
    RingTensor m = random(r, 3, 4);
    RingTensor t = m.transpose();
    assertEquals(Shape.of(4, 3), t.shape());
    for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals(m.get(i * 4 + j), t.get(j * 3 + i));
    assertEquals(m, t.transpose());
    RingTensor rows = m.sum(0), cols = m.sum(1);
    for (int j = 0; j < 4; j++) assertEquals(m.get(j) + m.get(4 + j) + m.get(8 + j), rows.get(j));
    for (int i = 0; i < 3; i++) assertEquals(m.get(4 * i) + m.get(4 * i + 1) + m.get(4 * i + 2) + m.get(4 * i + 3), cols.get(i));
    RingTensor v = random(r, 5);
    RingTensor cat = RingTensor.concat(List.of(m, v));
    List<RingTensor> back = cat.split(List.of(m.shape(), v.shape()));
    assertEquals(m, back.get(0));
    assertEquals(v, back.get(1));
    assertEquals(RingTensor.wrap(new long[] {m.get(4), m.get(5), m.get(6), m.get(7)}, Shape.of(1, 4)), m.sliceRows(1, 2));
    RingTensor row = RingTensor.vector(1, 2, 3);
    assertArrayEquals(new long[] {1, 2, 3, 1, 2, 3}, row.broadcastTo(Shape.of(2, 3)).data());
    assertArrayEquals(new long[] {9, 9}, RingTensor.scalar(9).broadcastTo(Shape.vector(2)).data());
    assertThrows(IllegalArgumentException.class, () -> row.broadcastTo(Shape.of(3, 2)));
  }

  @Test
  void emptyAndScalarTensors() {
    RingTensor e = RingTensor.zeros(Shape.vector(0));
    assertEquals(0, e.add(e).size());
    assertEquals(0, e.sum());
    assertEquals(1, RingTensor.scalar(5).size());
    assertEquals(0, Shape.scalar().rank());
  }

  @Test
  void toStringNeverShowsValues() {
    assertEquals("RingTensor[2]", RingTensor.vector(123456789, 987654321).toString());
  }
}

package org.sparkspu.engine.mpc;

import java.util.List;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * The kernels of one MPC protocol over Z_2^64, seen from one party. Every party calls the same
 * kernels in the same order (SPMD). Element-wise kernels need operands of one shape; fixed point,
 * broadcasting and visibility are the business of the layers above (hal, compiler).
 *
 * <p>Results of comparisons ({@link #msb}, {@link #lessThan}, {@link #equal}) are arithmetic
 * shares of 0 or 1. Boolean shares are bit-sliced: bit j of each long is bit j of the value.
 */
public interface Protocol {
  String name();

  int parties();

  int self();

  /**
   * Randomness common to all parties of this session and known to all (a public coin), from a
   * seed party 0 draws fresh at session start. Every party must draw from it identically.
   */
  Prg publicRandom();

  /** Declared rounds and bytes of a kernel on {@code n} elements (matmul: dims m, k, n). */
  Cost cost(Kernel kernel, long... dims);

  // ---- values in and out ----

  /** Secret-shares a tensor that {@code owner} holds in plaintext; others pass null and the shape. */
  Share input(int owner, RingTensor valueOrNull, Shape shape);

  /**
   * Secret-shares several tensors, each held by its own owner, in one exchange: every owner sends
   * before anyone receives, so inputs from different parties cost the rounds of one input. Each
   * party passes its own values and null for the others'.
   */
  List<Share> inputs(int[] owners, RingTensor[] valuesOrNull, Shape[] shapes);

  /** An arithmetic sharing of a public value (no communication). */
  Share constant(RingTensor value);

  /** Opens a secret to every party. */
  RingTensor reveal(Share x);

  /** Opens a secret to one party; the others get null and learn nothing. */
  RingTensor revealTo(Share x, int receiver);

  // ---- arithmetic, local ----

  Share add(Share a, Share b);

  Share sub(Share a, Share b);

  Share neg(Share a);

  Share addPublic(Share a, RingTensor c);

  Share mulPublic(Share a, RingTensor c);

  /** Secret (m x k) times public (k x n). */
  Share matmulPublic(Share a, RingTensor b);

  /** Public (m x k) times secret (k x n). */
  Share publicMatmul(RingTensor a, Share b);

  // ---- arithmetic, communicating ----

  Share mul(Share a, Share b);

  Share matmul(Share a, Share b);

  /** Divides by 2^bits with probabilistic rounding (error of at most 1 in the last place, and with probability about |x|/2^63 a large error, as SecureML/ABY3). */
  Share trunc(Share a, int bits);

  // ---- boolean ----

  Share xorB(Share a, Share b);

  Share andB(Share a, Share b);

  Share xorPublicB(Share a, RingTensor c);

  Share andPublicB(Share a, RingTensor c);

  Share a2b(Share a);

  Share b2a(Share b);

  /** Arithmetic 0/1 from bit 0 of a boolean share. */
  Share bitToArith(Share b);

  // ---- comparison and selection ----

  /** Arithmetic 0/1: the sign bit of x (1 when x < 0 as a signed 64-bit value). */
  Share msb(Share x);

  /** Arithmetic 0/1: a < b, exact when |a - b| < 2^63 (always true for encodable fixed point). */
  Share lessThan(Share a, Share b);

  /**
   * Arithmetic 0/1: 1 where every x_i is negative (signed 64-bit), for operands of one shape. The
   * conjunction of k comparisons (a < b as a - b < 0) for about the price of k sign bits and one bit
   * injection: the k sign bits are ANDed as boolean shares packed 64 to a long, instead of k bit
   * injections and k - 1 arithmetic products.
   */
  Share allNegative(List<Share> xs);

  /** Arithmetic 0/1: a == b. */
  Share equal(Share a, Share b);

  /** c ? a : b with c an arithmetic 0/1 share. */
  Share select(Share c, Share a, Share b);

  /** Ends the protocol's use of the link (e.g. releases a dealer); the link itself stays open. */
  default void close() {}
}

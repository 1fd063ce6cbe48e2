package org.sparkspu.engine.mpc.semi2k;

import java.nio.ByteBuffer;
import org.sparkspu.engine.crypto.Prg;
import org.sparkspu.engine.link.PeerClosedException;
import org.sparkspu.engine.link.PeerTimeoutException;
import org.sparkspu.engine.mpc.ProtocolContext;
import org.sparkspu.engine.ring.RingTensor;
import org.sparkspu.engine.ring.Shape;

/**
 * The semi2k dealer of correlated randomness (Beaver triples, truncation pairs, random bits).
 *
 * <p>Every party i draws its share of each item from its own PRG stream; the dealer knows every
 * party's seed, mirrors all streams, and computes the one share that cannot be random: party 0's
 * correction (e.g. c_0 = a*b - sum_(i>0) c_i). Only that correction ever travels, and only to
 * party 0. In trusted-first-party mode party 0 runs this object itself and nothing travels; in
 * trusted-third-party mode it runs on a dealer endpoint that computes nothing else. Either way the
 * dealer can derive every triple, so it must be trusted (semi-honest, non-colluding).
 */
public final class Semi2kDealer {
  /** Request kinds sent by party 0 to a third-party dealer. */
  static final int MUL = 1, MATMUL = 2, AND = 3, TRUNC = 4, BIT = 5, CLOSE = 99;
  static final String REQUEST_TAG = "semi2k.dealer.request";
  static final String SEED_TAG = "semi2k.dealer.seed";
  static final String CORRECTION_TAG = "semi2k.dealer.correction";

  private final Prg[] streams;
  private final ProtocolContext ctx;

  /** Deals from the given per-party streams; in first-party mode stream 0 is party 0's only stream. */
  Semi2kDealer(Prg[] streams) {
    this.streams = streams;
    this.ctx = null;
  }

  /** Third-party dealer endpoint: sends every party a fresh seed for its stream. */
  public Semi2kDealer(ProtocolContext ctx) {
    this.ctx = ctx;
    int n = ctx.parties();
    this.streams = new Prg[n];
    for (int i = 0; i < n; i++) {
      byte[] seed = Prg.freshSeed(ctx.random());
      ctx.link().sendBytes(i, SEED_TAG, seed, true);
      streams[i] = new Prg(seed);
    }
  }

  /** Serves party 0's requests until it sends CLOSE or its link closes. */
  public void serve() {
    while (true) {
      byte[] req;
      try {
        req = ctx.link().recvBytes(0, REQUEST_TAG);
      } catch (PeerTimeoutException idle) {
        continue; // an idle session is not an error; a dead party 0 closes the link instead
      } catch (PeerClosedException gone) {
        return; // party 0 ended (its own error, if any, is reported by the parties)
      }
      ByteBuffer b = ByteBuffer.wrap(req);
      int kind = b.getInt();
      if (kind == CLOSE) return;
      long[][] item = deal(kind, b);
      ctx.link().send(0, CORRECTION_TAG, item[item.length - 1], true);
    }
  }

  /** Party 0's whole item for a request (its draws, then its correction). */
  long[][] deal(int kind, ByteBuffer args) {
    return switch (kind) {
      case MUL -> mul(args.getInt());
      case MATMUL -> matmul(args.getInt(), args.getInt(), args.getInt());
      case AND -> and(args.getInt());
      case TRUNC -> trunc(args.getInt(), args.getInt());
      case BIT -> randomBit(args.getInt());
      default -> throw new IllegalStateException("dealer got an unknown request kind " + kind + " from party 0");
    };
  }

  static byte[] request(int kind, int... args) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * args.length);
    b.putInt(kind);
    for (int a : args) b.putInt(a);
    return b.array();
  }

  // Each method returns party 0's whole item: its own draws (from stream 0, in the order party 0
  // draws them) followed by its correction. A third-party dealer sends only the last array.

  /** {a_0, b_0, c_0} of a multiplication triple: party i draws a_i, b_i, then c_i if i > 0. */
  long[][] mul(int len) {
    long[] a0 = streams[0].next(len), b0 = streams[0].next(len);
    long[] a = a0.clone(), b = b0.clone(), c0 = new long[len], t = new long[len];
    for (int i = 1; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) a[j] += t[j];
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) b[j] += t[j];
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) c0[j] -= t[j];
    }
    for (int j = 0; j < len; j++) c0[j] += a[j] * b[j];
    return new long[][] {a0, b0, c0};
  }

  /** {A_0, B_0, C_0} of a matrix triple A (m x k), B (k x n), C = A.B. */
  long[][] matmul(int m, int k, int n) {
    long[] a0 = streams[0].next(m * k), b0 = streams[0].next(k * n);
    long[] a = a0.clone(), b = b0.clone(), c0 = new long[m * n];
    for (int i = 1; i < streams.length; i++) {
      addInto(a, streams[i].next(m * k));
      addInto(b, streams[i].next(k * n));
      long[] ci = streams[i].next(m * n);
      for (int j = 0; j < ci.length; j++) c0[j] -= ci[j];
    }
    addInto(c0, RingTensor.wrap(a, Shape.of(m, k)).matmul(RingTensor.wrap(b, Shape.of(k, n))).data());
    return new long[][] {a0, b0, c0};
  }

  /** {a_0, b_0, c_0} of a boolean (AND) triple, XOR-shared. */
  long[][] and(int len) {
    long[] a0 = streams[0].next(len), b0 = streams[0].next(len);
    long[] a = a0.clone(), b = b0.clone(), c0 = new long[len], t = new long[len];
    for (int i = 1; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) a[j] ^= t[j];
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) b[j] ^= t[j];
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) c0[j] ^= t[j];
    }
    for (int j = 0; j < len; j++) c0[j] ^= a[j] & b[j];
    return new long[][] {a0, b0, c0};
  }

  /** {r_0, r'_0} of a truncation pair (r, r' = r >> bits): party i draws r_i, then r'_i if i > 0. */
  long[][] trunc(int len, int bits) {
    long[] r0 = streams[0].next(len);
    long[] r = r0.clone(), rt0 = new long[len], t = new long[len];
    for (int i = 1; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      addInto(r, t);
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) rt0[j] -= t[j];
    }
    for (int j = 0; j < len; j++) rt0[j] += r[j] >> bits;
    return new long[][] {r0, rt0};
  }

  /** {r_0, s_0} of a random bit r shared both ways: party i draws r_i (low bit kept), then s_i if i > 0. */
  long[][] randomBit(int len) {
    long[] r0 = streams[0].next(len);
    for (int j = 0; j < len; j++) r0[j] &= 1L;
    long[] r = r0.clone(), s0 = new long[len], t = new long[len];
    for (int i = 1; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) r[j] ^= t[j] & 1L;
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) s0[j] -= t[j];
    }
    addInto(s0, r);
    return new long[][] {r0, s0};
  }

  private static void addInto(long[] acc, long[] x) {
    for (int j = 0; j < acc.length; j++) acc[j] += x[j];
  }
}

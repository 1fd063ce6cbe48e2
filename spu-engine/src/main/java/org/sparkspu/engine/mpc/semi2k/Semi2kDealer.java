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

  /** Mirrors the given per-party streams (the party's own copies must be separate objects). */
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
      long[] correction = switch (kind) {
        case MUL -> mul(b.getInt());
        case MATMUL -> matmul(b.getInt(), b.getInt(), b.getInt());
        case AND -> and(b.getInt());
        case TRUNC -> trunc(b.getInt(), b.getInt());
        case BIT -> randomBit(b.getInt());
        default -> throw new IllegalStateException("dealer got an unknown request kind " + kind + " from party 0");
      };
      ctx.link().send(0, CORRECTION_TAG, correction, true);
    }
  }

  static byte[] request(int kind, int... args) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * args.length);
    b.putInt(kind);
    for (int a : args) b.putInt(a);
    return b.array();
  }

  /** c_0 for a multiplication triple: every party i draws a_i, b_i, then c_i if i > 0. */
  long[] mul(int len) {
    long[] a = new long[len], b = new long[len], c0 = new long[len], t = new long[len];
    for (int i = 0; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) a[j] += t[j];
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) b[j] += t[j];
      if (i > 0) {
        streams[i].fill(t, 0, len);
        for (int j = 0; j < len; j++) c0[j] -= t[j];
      }
    }
    for (int j = 0; j < len; j++) c0[j] += a[j] * b[j];
    return c0;
  }

  /** C_0 for a matrix triple A (m x k), B (k x n), C = A.B. */
  long[] matmul(int m, int k, int n) {
    long[] a = new long[m * k], b = new long[k * n], c0 = new long[m * n];
    for (int i = 0; i < streams.length; i++) {
      addInto(a, streams[i].next(m * k));
      addInto(b, streams[i].next(k * n));
      if (i > 0) {
        long[] ci = streams[i].next(m * n);
        for (int j = 0; j < ci.length; j++) c0[j] -= ci[j];
      }
    }
    addInto(c0, RingTensor.wrap(a, Shape.of(m, k)).matmul(RingTensor.wrap(b, Shape.of(k, n))).data());
    return c0;
  }

  /** c_0 for a boolean (AND) triple, XOR-shared. */
  long[] and(int len) {
    long[] a = new long[len], b = new long[len], c0 = new long[len], t = new long[len];
    for (int i = 0; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) a[j] ^= t[j];
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) b[j] ^= t[j];
      if (i > 0) {
        streams[i].fill(t, 0, len);
        for (int j = 0; j < len; j++) c0[j] ^= t[j];
      }
    }
    for (int j = 0; j < len; j++) c0[j] ^= a[j] & b[j];
    return c0;
  }

  /** r'_0 for a truncation pair (r, r' = r >> bits): party i draws r_i, then r'_i if i > 0. */
  long[] trunc(int len, int bits) {
    long[] r = new long[len], r0 = new long[len], t = new long[len];
    for (int i = 0; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      addInto(r, t);
      if (i > 0) {
        streams[i].fill(t, 0, len);
        for (int j = 0; j < len; j++) r0[j] -= t[j];
      }
    }
    for (int j = 0; j < len; j++) r0[j] += r[j] >> bits;
    return r0;
  }

  /** s_0 for a random bit shared both ways: party i draws bit r_i (low bit), then s_i if i > 0. */
  long[] randomBit(int len) {
    long[] r = new long[len], s0 = new long[len], t = new long[len];
    for (int i = 0; i < streams.length; i++) {
      streams[i].fill(t, 0, len);
      for (int j = 0; j < len; j++) r[j] ^= t[j] & 1L;
      if (i > 0) {
        streams[i].fill(t, 0, len);
        for (int j = 0; j < len; j++) s0[j] -= t[j];
      }
    }
    addInto(s0, r);
    return s0;
  }

  private static void addInto(long[] acc, long[] x) {
    for (int j = 0; j < acc.length; j++) acc[j] += x[j];
  }
}

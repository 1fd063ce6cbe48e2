package org.sparkspu.engine.link;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Transport settings of a {@link NettyLink} beyond the endpoints, session and timeout.
 *
 * @param tls mutual TLS settings, or null for plain TCP (the default)
 * @param addedLatency delay added to every outgoing message, to emulate a WAN in benchmarks; zero by default
 * @param maxFrameBytes largest frame body accepted or sent; a peer announcing a larger frame is treated as garbage
 */
public record NettyOptions(Tls tls, Duration addedLatency, int maxFrameBytes) {
  /** 1 GiB: 2^27 ring elements in one message; larger tensors are a program error, not traffic. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 30;

  public NettyOptions {
    Objects.requireNonNull(addedLatency, "addedLatency");
    if (addedLatency.isNegative()) throw new IllegalArgumentException("added latency must not be negative: " + addedLatency);
    if (maxFrameBytes < Wire.HANDSHAKE_LIMIT) {
      throw new IllegalArgumentException("maxFrameBytes must be at least " + Wire.HANDSHAKE_LIMIT + ", got " + maxFrameBytes);
    }
  }

  /** Plain TCP, no added latency, the default frame limit. */
  public static NettyOptions plain() {
    return new NettyOptions(null, Duration.ZERO, DEFAULT_MAX_FRAME_BYTES);
  }

  public NettyOptions withTls(Tls t) {
    return new NettyOptions(t, addedLatency, maxFrameBytes);
  }

  public NettyOptions withAddedLatency(Duration d) {
    return new NettyOptions(tls, d, maxFrameBytes);
  }

  public NettyOptions withMaxFrameBytes(int max) {
    return new NettyOptions(tls, addedLatency, max);
  }

  public boolean tlsEnabled() {
    return tls != null;
  }

  /**
   * Mutual TLS from PEM files. Every endpoint presents {@code certificateChain} (its own
   * certificate first) and accepts a peer only if the peer's chain ends in one of
   * {@code trustedCertificates} and the peer certificate's subject common name is
   * {@code party-<id>} for the endpoint id the peer claims in the handshake. Host names are not
   * verified: party identity is bound to the certificate, not to the address it dials from.
   *
   * @param certificateChain PEM X.509 chain of this endpoint, leaf first
   * @param privateKey PEM PKCS#8 private key of the leaf certificate
   * @param trustedCertificates PEM collection of trusted CA (or peer) certificates
   */
  public record Tls(Path certificateChain, Path privateKey, Path trustedCertificates) {
    public Tls {
      Objects.requireNonNull(certificateChain, "certificateChain");
      Objects.requireNonNull(privateKey, "privateKey");
      Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    }

    /** The subject common name a certificate must carry to act as the given endpoint. */
    public static String commonNameOf(int endpoint) {
      return "party-" + endpoint;
    }
  }
}

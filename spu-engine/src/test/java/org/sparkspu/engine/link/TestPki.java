package org.sparkspu.engine.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: an EC P-256 CA that issues party certificates
 * (subject CN as given, client and server use) and writes them as PEM files Netty reads.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private final Path dir;
  private final String name;
  private final KeyPair caKey;
  private final X509Certificate caCert;
  private final Path caPem;

  private TestPki(Path dir, String name) {
    this.dir = dir;
    this.name = name;
    this.caKey = ecKey();
    this.caCert = sign(name, caKey.getPublic(), true);
    this.caPem = write(dir.resolve(name + "-ca.pem"), pem("CERTIFICATE", der(caCert)));
  }

  /** A new CA named {@code name} writing its files under {@code dir}. */
  public static TestPki create(Path dir, String name) {
    return new TestPki(dir, name);
  }

  /** The CA certificate: the trusted collection for endpoints that trust this CA. */
  public Path caCertificate() {
    return caPem;
  }

  /** Issues a certificate with subject CN {@code cn}; TLS settings that trust {@code trusted}. */
  public NettyOptions.Tls issue(String cn, Path trusted) {
    KeyPair key = ecKey();
    X509Certificate cert = sign(cn, key.getPublic(), false);
    String prefix = name + "-" + cn;
    Path chain = write(dir.resolve(prefix + ".pem"), pem("CERTIFICATE", der(cert)) + pem("CERTIFICATE", der(caCert)));
    Path pk = write(dir.resolve(prefix + ".key"), pem("PRIVATE KEY", key.getPrivate().getEncoded()));
    return new NettyOptions.Tls(chain, pk, trusted);
  }

  /** Issues a certificate trusting this CA only. */
  public NettyOptions.Tls issue(String cn) {
    return issue(cn, caPem);
  }

  private X509Certificate sign(String cn, PublicKey subjectKey, boolean ca) {
    long now = System.currentTimeMillis();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name),
        BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 3_600_000), new Date(now + 86_400_000),
        new X500Name("CN=" + cn), subjectKey);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      }
      PrivateKey signer = caKey.getPrivate(); // set before the CA certificate: the CA signs itself
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a test certificate for " + cn, e);
    }
  }

  private static KeyPair ecKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static Path write(Path p, String text) {
    try {
      return Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

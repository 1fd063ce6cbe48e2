package org.sparkspu.engine.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Derives independent sub-seeds from one seed (HMAC-SHA256 keyed by the seed, one label each). */
public final class Seeds {
  private Seeds() {}

  public static byte[] derive(byte[] seed, String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(seed, "HmacSHA256"));
      return Arrays.copyOf(mac.doFinal(label.getBytes(StandardCharsets.UTF_8)), Prg.SEED_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  public static Prg prg(byte[] seed, String label) {
    return new Prg(derive(seed, label));
  }
}

package org.sparkspu.spark.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpuConfTest {
  private static SpuConf of(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put("spark.spu." + kv[i], kv[i + 1]);
    return SpuConf.from(m);
  }

  @Test
  void defaultsAreTheEmbeddedDeployment() {
    SpuConf c = of();
    assertEquals(SpuConf.defaults(), c);
    assertEquals("aby3", c.protocol());
    assertEquals(3, c.parties());
    assertEquals(18, c.fractionBits());
    assertEquals(Duration.ofSeconds(60), c.timeout());
    assertEquals(4, c.minGroupSize());
    assertEquals("netty", c.link());
    assertEquals("auto", c.runtime());
    assertEquals(65536, c.batchRows());
    assertEquals(3, c.sessionConfig().parties());
  }

  @Test
  void semi2kDefaultsToTwoPartiesAndTakesMore() {
    assertEquals(2, of("protocol", "semi2k").parties());
    assertEquals(3, of("protocol", "SEMI2K", "parties", "3").parties());
    assertEquals("semi2k", of("protocol", " semi2k ").protocol());
    assertEquals(5, of("protocol", "semi2k", "parties", "5").sessionConfig().parties());
  }

  @Test
  void valuesAreParsed() {
    SpuConf c = of("fractionBits", "12", "timeout", "500ms", "minGroupSize", "1", "link", "Memory", "runtime", "LOCAL",
        "batchRows", "1000");
    assertEquals(12, c.fractionBits());
    assertEquals(Duration.ofMillis(500), c.timeout());
    assertEquals("memory", c.link());
    assertEquals("local", c.runtime());
    assertEquals(1000, c.batchRows());
    assertEquals(Duration.ofMinutes(2), of("timeout", "2m").timeout());
    assertEquals(Duration.ofMillis(1500), of("timeout", "1.5s").timeout());
    assertEquals(Duration.ofSeconds(30), of("timeout", "30").timeout());
    assertEquals(SpuConf.defaults(), of("parties", " ", "timeout", "")); // blank = default
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] bad = {
        {"parties", "three", "spark.spu.parties"},
        {"parties", "2", "spark.spu.parties"}, // aby3 needs 3
        {"protocol", "spdz", "spark.spu.protocol"},
        {"fractionBits", "50", "spark.spu.fractionBits"},
        {"fractionBits", "1.5", "spark.spu.fractionBits"},
        {"timeout", "soon", "spark.spu.timeout"},
        {"timeout", "-1s", "spark.spu.timeout"},
        {"timeout", "0", "spark.spu.timeout"},
        {"minGroupSize", "0", "spark.spu.minGroupSize"},
        {"link", "tcp", "spark.spu.link"},
        {"runtime", "cloud", "spark.spu.runtime"},
        {"batchRows", "-1", "spark.spu.batchRows"},
        {"batchRows", "lots", "spark.spu.batchRows"},
    };
    for (String[] b : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> of(b[0], b[1]), b[0] + "=" + b[1]);
      assertTrue(e.getMessage().contains(b[2]), b[0] + "=" + b[1] + ": " + e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> of("protocol", "semi2k", "parties", "1"));
    assertTrue(e.getMessage().startsWith("spark.spu.parties"), e.getMessage());
  }
}

package org.sparkspu.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkspu.engine.link.NettyNetwork;
import org.sparkspu.engine.link.NettyOptions;

/** The executor endpoint service, the driver's party table and its rendezvous table. */
class EndpointServiceTest {
  private static final Duration T = Duration.ofSeconds(5);

  @Test
  void portsSettingIsParsedAndBadValuesNameTheKey() {
    assertArrayEquals(new int[] {0, 0}, EndpointService.parsePorts(null));
    assertArrayEquals(new int[] {0, 0}, EndpointService.parsePorts("0"));
    assertArrayEquals(new int[] {7100, 7199}, EndpointService.parsePorts(" 7100 - 7199 "));
    assertArrayEquals(new int[] {7100, 7100}, EndpointService.parsePorts("7100"));
    for (String bad : new String[] {"x", "7200-7100", "0-10", "70000", "-5", "1-2-3"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EndpointService.parsePorts(bad), bad);
      assertTrue(e.getMessage().contains(EndpointService.PORTS_KEY), e.getMessage());
    }
  }

  @Test
  void aPortRangeSkipsBusyPortsAndCloseEndsOpenSessions() throws IOException {
    int base;
    try (ServerSocket probe = new ServerSocket(0)) {
      base = probe.getLocalPort();
    }
    // Occupy the first port of a 3-port range: the service must hand out the other two, then fail.
    try (ServerSocket busy = new ServerSocket(base, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertTrue(busy.isBound());
      EndpointService svc = new EndpointService("e1", "127.0.0.1", base + "-" + (base + 2), NettyOptions.plain());
      NettyNetwork.Listener a = svc.bind(0, 2, "s1", T);
      NettyNetwork.Listener b = svc.bind(1, 2, "s1", T);
      assertEquals(Set.of(base + 1, base + 2), Set.of(a.port(), b.port()));
      assertEquals(2, svc.openSessions());
      RuntimeException full = assertThrows(RuntimeException.class, () -> svc.bind(0, 2, "s2", T));
      assertTrue(full.getMessage().contains("no free port"), full.getMessage());
      svc.release(a);
      assertEquals(1, svc.openSessions());
      svc.close();
      assertEquals(0, svc.openSessions());
      assertThrows(IllegalStateException.class, () -> svc.bind(0, 2, "s3", T));
    }
  }

  @Test
  void installedServiceIsFoundByTasksElseAPlainOne() {
    EndpointService svc = new EndpointService("e7", "127.0.0.1", "0", NettyOptions.plain());
    try {
      EndpointService.install(svc);
      assertEquals(svc, EndpointService.forTask("other", "10.0.0.1"));
    } finally {
      EndpointService.uninstall(svc);
    }
    EndpointService plain = EndpointService.forTask("e9", "127.0.0.1");
    assertEquals("e9", plain.executorId());
    assertTrue(plain.rendezvous().isEmpty());
  }

  @Test
  void partyTableGivesSlotsInOrderAndRefillsFreedOnes() {
    PartyTable t = new PartyTable();
    assertEquals(0, t.register("1", "h1", "0"));
    assertEquals(1, t.register("2", "h2", "0"));
    assertEquals(2, t.register("3", "h3", "0"));
    assertEquals(3, t.register("4", "h4", "0")); // spare
    assertEquals(1, t.register("2", "h2b", "0")); // re-registration keeps the slot
    assertEquals("h2b", t.slot(1).orElseThrow().host());
    t.remove("2");
    assertEquals(1, t.register("5", "h5", "0")); // the freed slot
    assertEquals(List.of("executor_h1_1", "executor_h5_5", "executor_h3_3"),
        t.partyLocations(3, List.of("1", "3", "4", "5")).orElseThrow());
    assertTrue(t.partyLocations(3, List.of("1", "3")).isEmpty(), "an executor that is gone: no preference");
  }

  @Test
  void rendezvousCompletesWhenAllPostedAndForgetsTheSession() {
    RendezvousTable t = new RendezvousTable();
    String[] first = t.post("s", 1, 3, "1:h:2");
    assertNull(first[0]);
    assertEquals("1:h:2", first[1]);
    t.post("s", 0, 3, "0:h:1");
    String[] done = t.post("s", 2, 3, "2:h:3");
    assertArrayEquals(new String[] {"0:h:1", "1:h:2", "2:h:3"}, done);
    assertEquals(1, t.openSessions()); // parties 0 and 1 have not read the complete table yet
    t.post("s", 0, 3, "0:h:1");
    t.post("s", 1, 3, "1:h:2");
    assertEquals(0, t.openSessions());
    assertThrows(IllegalArgumentException.class, () -> t.post("x", 3, 3, "3:h:4"));
  }
}

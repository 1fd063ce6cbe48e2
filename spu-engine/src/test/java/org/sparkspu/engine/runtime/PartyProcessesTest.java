package org.sparkspu.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each party in its own JVM ({@link PartyMain}), linked over loopback TCP: the protocols agree
 * with plaintext across processes, and a party that dies or never starts makes the others exit
 * nonzero, naming it, within the timeout.
 */
class PartyProcessesTest {
  private static final long WAIT_S = 40;
  @TempDir Path dir;

  /** A started party process and where its output goes. */
  private record Party(int id, Process process, Path out, Path err) {
    String stdout() throws IOException {
      return Files.readString(out);
    }

    String stderr() throws IOException {
      return err == null ? "" : Files.readString(err);
    }

    String describe() throws IOException {
      return "party " + id + " exit " + (process.isAlive() ? "(running)" : process.exitValue()) + "\nstdout: "
          + stdout() + "\nstderr: " + stderr();
    }
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        held.add(s);
        ports.add(s.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket s : held) s.close();
    }
  }

  private static String peers(List<Integer> ports) {
    List<String> a = new ArrayList<>();
    for (int p : ports) a.add("127.0.0.1:" + p);
    return String.join(",", a);
  }

  /** Starts PartyMain with the test classpath; stdout to a file unless {@code pipeStdout}. */
  private Party start(int id, boolean pipeStdout, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", PartyMain.class.getName(), "--party",
        String.valueOf(id)));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("party-" + id + ".out"), err = dir.resolve("party-" + id + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    if (!pipeStdout) pb.redirectOutput(out.toFile());
    Process p = pb.start();
    return new Party(id, p, out, err);
  }

  private static void awaitExit(Party p) throws Exception {
    if (!p.process().waitFor(WAIT_S, TimeUnit.SECONDS)) fail("still running after " + WAIT_S + " s: " + p.describe());
  }

  private static void destroyAll(List<Party> parties) {
    for (Party p : parties) p.process().destroyForcibly();
  }

  @Test
  void aby3PartiesInThreeJvmsAgreeWithPlaintext() throws Exception {
    List<Integer> ports = freePorts(3);
    String session = "aby3-" + UUID.randomUUID();
    List<Party> parties = new ArrayList<>();
    try {
      for (int id = 0; id < 3; id++) {
        parties.add(start(id, false, "--peers", peers(ports), "--protocol", "aby3", "--session", session,
            "--timeout-ms", "30000", "--check", "all", "--n", "2000"));
      }
      for (Party p : parties) awaitExit(p);
      for (Party p : parties) {
        assertEquals(0, p.process().exitValue(), p.describe());
        assertTrue(p.stdout().contains("party " + p.id() + " ok: aby3 session " + session
            + " checked mul, less, reveal on 2000 elements"), p.describe());
      }
    } finally {
      destroyAll(parties);
    }
  }

  @Test
  void semi2kTwoPartiesAndADealerInThreeJvmsAgreeWithPlaintext() throws Exception {
    List<Integer> ports = freePorts(3);
    String session = "semi2k-" + UUID.randomUUID();
    List<Party> parties = new ArrayList<>();
    try {
      for (int id = 0; id < 3; id++) {
        parties.add(start(id, false, "--peers", peers(ports), "--protocol", "semi2k", "--dealer", "third-party",
            "--session", session, "--timeout-ms", "30000", "--check", "mul,less,reveal", "--n", "2000"));
      }
      for (Party p : parties) awaitExit(p);
      for (Party p : parties) assertEquals(0, p.process().exitValue(), p.describe());
      assertTrue(parties.get(0).stdout().contains("party 0 ok: semi2k"), parties.get(0).describe());
      assertTrue(parties.get(1).stdout().contains("party 1 ok: semi2k"), parties.get(1).describe());
      assertTrue(parties.get(2).stdout().contains("party 2 (dealer) ok: served session " + session),
          parties.get(2).describe());
    } finally {
      destroyAll(parties);
    }
  }

  @Test
  void partyKilledMidRunMakesTheOthersExitNonzeroAtOnce() throws Exception {
    List<Integer> ports = freePorts(3);
    String session = "kill-" + UUID.randomUUID();
    List<Party> parties = new ArrayList<>();
    try {
      for (int id = 0; id < 3; id++) {
        parties.add(start(id, id == 2, "--peers", peers(ports), "--protocol", "aby3", "--session", session,
            "--timeout-ms", "60000", "--check", "all", "--n", "1000", "--repeat", "1000000"));
      }
      Party victim = parties.get(2);
      assertTimeoutPreemptively(Duration.ofSeconds(WAIT_S), () -> {
        BufferedReader r = new BufferedReader(new InputStreamReader(victim.process().getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.startsWith("party 2 connected")) {
          // skip until the victim reports its links up
        }
        assertTrue(line != null, "party 2 ended before connecting: " + victim.stderr());
      });
      long t0 = System.nanoTime();
      victim.process().destroyForcibly();
      for (Party p : parties.subList(0, 2)) awaitExit(p);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      assertTrue(seconds < 30, "survivors took " + seconds + " s, as if they waited for the 60 s timeout");
      // A survivor names party 2, or the other survivor that stopped because of party 2 (failures cascade).
      boolean someoneNamedTheVictim = false;
      for (Party p : parties.subList(0, 2)) {
        assertNotEquals(0, p.process().exitValue(), p.describe());
        String err = p.stderr();
        assertTrue(err.startsWith("party " + p.id() + " failed: PeerClosedException: "), p.describe());
        assertTrue(err.contains("closed (the peer failed, stopped or its process died)")
            || err.contains("the connection is closed"), p.describe());
        someoneNamedTheVictim |= err.contains("party 2 (127.0.0.1:" + ports.get(2) + ")");
      }
      assertTrue(someoneNamedTheVictim, parties.get(0).describe() + "\n" + parties.get(1).describe());
    } finally {
      destroyAll(parties);
    }
  }

  @Test
  void partyThatNeverStartsMakesTheOthersExitNonzeroNamingItWithinTheTimeout() throws Exception {
    List<Integer> ports = freePorts(3);
    String session = "absent-" + UUID.randomUUID();
    List<Party> parties = new ArrayList<>();
    try {
      for (int id = 0; id < 2; id++) {
        parties.add(start(id, false, "--peers", peers(ports), "--protocol", "aby3", "--session", session,
            "--timeout-ms", "3000"));
      }
      for (Party p : parties) awaitExit(p);
      for (Party p : parties) {
        assertEquals(1, p.process().exitValue(), p.describe());
        assertTrue(p.stderr().startsWith("party " + p.id() + " failed: PeerTimeoutException: party " + p.id()
            + " could not connect to party 2 (127.0.0.1:" + ports.get(2) + ") within 3000 ms"), p.describe());
        assertTrue(p.stdout().isEmpty(), p.describe());
      }
    } finally {
      destroyAll(parties);
    }
  }

  @Test
  void badArgumentsExitWithUsage() {
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    int code = PartyMain.run(new String[] {"--party", "0", "--peers", "127.0.0.1:1,127.0.0.1:2", "--protocol", "aby3",
        "--session", "s"}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
    assertEquals(2, code);
    assertTrue(err.toString().contains("aby3 runs with exactly 3 parties, got 2"), err.toString());
    assertTrue(err.toString().contains("usage: PartyMain"), err.toString());
  }
}

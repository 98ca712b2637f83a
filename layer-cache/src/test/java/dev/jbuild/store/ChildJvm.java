package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link StoreChild} in a second JVM on the test classpath, for tests of two processes sharing a store. */
final class ChildJvm {
  private ChildJvm() {}

  static Process start(Path log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Surefire/failsafe may run tests from a manifest-only jar; this property holds the real classpath then.
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-cp", cp,
        StoreChild.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Waits until the child has written {@code line} to its log. */
  static void awaitLine(Process child, Path log, String line, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (java.nio.file.Files.exists(log) && java.nio.file.Files.readString(log).contains(line)) {
        return;
      }
      if (!child.isAlive()) {
        throw new AssertionError("child exited with " + child.exitValue() + " before " + line + ": "
            + java.nio.file.Files.readString(log));
      }
      Thread.sleep(2);
    }
    throw new AssertionError("child did not print " + line + " within " + timeoutSeconds + " s");
  }
}

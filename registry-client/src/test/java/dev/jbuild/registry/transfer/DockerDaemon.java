package dev.jbuild.registry.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private dockerd for interop tests (root only): its own data, exec root and socket under a temp dir, no
 * iptables and no bridge, so it touches nothing of the host's docker. Always stopped by {@link #close()}.
 */
final class DockerDaemon implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final String docker;

  private DockerDaemon(Path dir, Process process, String docker) {
    this.dir = dir;
    this.process = process;
    this.docker = docker;
  }

  /** The dockerd binary, or null when this machine has none. */
  static Path binary() {
    for (String p : List.of("/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  private static String client() {
    for (String p : List.of("/usr/bin/docker", "/usr/local/bin/docker")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new IllegalStateException("dockerd is installed but the docker client is not");
  }

  static DockerDaemon start(Path dockerd) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("jbuild-dockerd-");
    Path sock = dir.resolve("docker.sock");
    Process p = new ProcessBuilder(dockerd.toString(), "--iptables=false", "--bridge=none",
        "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("docker.pid").toString(), "-H", "unix://" + sock)
        .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
    DockerDaemon daemon = new DockerDaemon(dir, p, client());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        String log = Files.readString(dir.resolve("dockerd.log"));
        daemon.close();
        throw new IllegalStateException("dockerd exited: " + log);
      }
      if (Files.exists(sock)) {
        try {
          daemon.docker("info", "--format", "{{.ServerVersion}}");
          return daemon;
        } catch (IOException notYet) {
          // the socket exists before the API answers
        }
      }
      Thread.sleep(200);
    }
    daemon.close();
    throw new IllegalStateException("dockerd did not come up within 60 s");
  }

  /** Runs {@code docker -H unix://... args}; returns its output, throws when it fails. */
  String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(docker, "-H", "unix://" + dir.resolve("docker.sock")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("docker " + String.join(" ", args) + " failed: " + out);
    }
    return out.trim();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    // overlay mounts under the data root are gone once dockerd stopped; remove what is left.
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException ignored) {
          // a busy leftover must not fail the test run; it is in the temp dir
        }
      }
    } catch (IOException ignored) {
      // as above
    }
  }
}

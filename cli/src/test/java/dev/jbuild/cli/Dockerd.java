package dev.jbuild.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private dockerd for one test class: its own data root, exec root and socket under a temp directory, so it
 * runs beside any other dockerd on the machine. Skips (assumption) when dockerd is not installed.
 */
final class Dockerd implements AutoCloseable {
  private final Path dir;
  private final Process process;

  private Dockerd(Path dir, Process process) {
    this.dir = dir;
    this.process = process;
  }

  static Dockerd start() throws IOException, InterruptedException {
    Path dockerd = Stream.of("/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/local/bin/dockerd").map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(dockerd != null, "dockerd is not installed (Debian package docker.io)");
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "jbuild-dockerd-");
    ProcessBuilder pb = new ProcessBuilder(dockerd.toString(), "--iptables=false", "--bridge=none",
        "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("pid").toString(), "-H", "unix://" + dir.resolve("docker.sock"));
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile());
    Dockerd d = new Dockerd(dir, pb.start());
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(dir.resolve("docker.sock")) && d.docker("version").exit() == 0) {
        return d;
      }
      if (!d.process.isAlive()) {
        break;
      }
      Thread.sleep(250);
    }
    String log = Files.readString(dir.resolve("dockerd.log"));
    d.close();
    throw new IllegalStateException("dockerd did not come up:\n" + log);
  }

  Processes.Output docker(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + dir.resolve("docker.sock")));
    cmd.addAll(List.of(args));
    return Processes.run(cmd, Map.of("DOCKER_BUILDKIT", "0", "DOCKER_CONFIG", dir.resolve("config").toString()),
        null);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    // Overlay mounts dockerd left behind would make the delete fail; unmount them first.
    Processes.run(List.of("sh", "-c", "grep -o ' " + dir + "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l"),
        Map.of(), null);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

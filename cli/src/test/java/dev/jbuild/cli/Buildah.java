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
 * buildah with a private store under a temp directory (its own {@code --root}, {@code --runroot} and TMPDIR,
 * where buildah keeps RUN cache mounts), so a test leaves nothing behind and runs beside any other buildah.
 * The overlay driver, not vfs: RUN then sees overlayfs as under jbuild and docker (vfs copies every layer, and
 * its diff of a copied tree gets hard links wrong). runc because crun fails on this host's hybrid cgroups.
 */
final class Buildah implements AutoCloseable {
  private final Path dir;

  private Buildah(Path dir) {
    this.dir = dir;
  }

  /** Skips (assumption) when buildah or runc is not installed, or when not root (rootless buildah differs). */
  static Buildah start() throws IOException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "buildah runs as root in these tests");
    Assumptions.assumeTrue(onPath("buildah"), "buildah is not installed (scripts/install-deps installs it)");
    Assumptions.assumeTrue(onPath("runc"), "runc is not installed (scripts/install-deps installs it)");
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "jbuild-buildah-");
    Files.createDirectories(dir.resolve("tmp"));
    return new Buildah(dir);
  }

  Processes.Output run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("buildah", "--root", dir.resolve("root").toString(),
        "--runroot", dir.resolve("run").toString(), "--storage-driver", "overlay"));
    cmd.addAll(List.of(args));
    return Processes.run(cmd, Map.of("TMPDIR", dir.resolve("tmp").toString()), null);
  }

  /** Runs buildah and fails with its output when it exits non-zero. */
  Processes.Output ok(String... args) throws IOException, InterruptedException {
    Processes.Output out = run(args);
    if (out.exit() != 0) {
      throw new AssertionError("buildah " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  /**
   * {@code buildah bud} in docker format, because the OCI config has no place for HEALTHCHECK, ONBUILD and
   * SHELL, which buildah then drops. Host network, as jbuild's RUN uses by default.
   */
  void build(Path context, Path dockerfile, String tag, Map<String, String> buildArgs, String target)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("bud", "--runtime=runc", "--isolation=oci", "--network=host",
        "--layers", "--format=docker", "--tls-verify=false", "-q", "-t", tag, "-f", dockerfile.toString()));
    buildArgs.forEach((k, v) -> args.add("--build-arg=" + k + "=" + v));
    if (target != null) {
      args.add("--target=" + target);
    }
    args.add(context.toString());
    ok(args.toArray(String[]::new));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("rm", "--all");
    // Anything buildah left mounted under its root would make the delete fail.
    Processes.run(List.of("sh", "-c",
        "grep -o ' " + dir + "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l"), Map.of(), null);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/sbin", "/sbin"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
  }
}

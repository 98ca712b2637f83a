package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code jbuild} launcher script as users run it: from another directory, as root and as a plain user. */
class LauncherIT {
  private static final Path REPO = Processes.repoRoot();
  private static final String LAUNCHER = REPO.resolve("jbuild").toString();
  private static final String TEST_USER = System.getenv().getOrDefault("JBUILD_TEST_USER", "jbuildtest");

  @TempDir Path tmp;

  @Test
  void versionAndHelp_fromAnotherDirectory_listTheCommands() throws Exception {
    Processes.Output version = Processes.run(List.of(LAUNCHER, "--version"), Map.of(), tmp);
    assertThat(version.exit()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("jbuild 0.");
    Processes.Output help = Processes.run(List.of(LAUNCHER, "--help"), Map.of(), tmp);
    assertThat(help.exit()).as(help.toString()).isZero();
    assertThat(help.out()).contains("build", "images", "push", "pull", "tag", "inspect");
  }

  @Test
  void startUpArchive_isMadeForThisJava_andTheJvmLoadsPicocliFromIt() throws Exception {
    Processes.Output version = Processes.run(List.of(LAUNCHER, "--version"), Map.of(), tmp);
    assertThat(version.exit()).as(version.toString()).isZero();
    Path lib = REPO.resolve("cli/target/lib");
    assertThat(lib.resolve("jbuild.jsa")).isRegularFile();
    assertThat(Files.readString(lib.resolve("jbuild.jsa.java")).strip()).endsWith("/java");
    // The proof that the archive is used, not just made: picocli's Java 5 classes come from it, not from the jar.
    Path log = tmp.resolve("classes.log");
    Processes.Output images = Processes.run(List.of(LAUNCHER, "--root", tmp.resolve("store").toString(), "images"),
        Map.of("JBUILD_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), tmp);
    assertThat(images.exit()).as(images.toString()).isZero();
    assertThat(Files.readAllLines(log)).anyMatch(l -> l.contains(" picocli.CommandLine source: shared objects file"))
        .noneMatch(l -> l.contains("picocli-") && l.contains(".jar"));
  }

  /**
   * An installed layout (bin/ and lib/) reached through a symlink on the PATH: the launcher finds lib/ through the
   * link, makes the archive for the java it runs, and makes it again when the archive names another java.
   */
  @Test
  void installedLayout_throughASymlink_makesTheArchiveForItsJava_andRemakesItForAnother() throws Exception {
    Path dist = installedCopy(tmp.resolve("dist"));
    Path onPath = Files.createDirectories(tmp.resolve("path"));
    Files.createSymbolicLink(onPath.resolve("jbuild"), dist.resolve("bin/jbuild"));
    Map<String, String> env = Map.of("PATH", onPath + ":" + System.getenv("PATH"));

    Processes.Output first = Processes.run(List.of("sh", "-c", "jbuild --version"), env, tmp);
    assertThat(first.exit()).as(first.toString()).isZero();
    Path jsa = dist.resolve("lib/jbuild.jsa");
    Path marker = dist.resolve("lib/jbuild.jsa.java");
    String java = Files.readString(marker).strip();
    assertThat(Path.of(java)).isRegularFile();
    assertThat(Path.of(java).toRealPath().toString()).isEqualTo(java);

    // Another java's archive: named by a file that is not this java. The next start makes a new one.
    Files.writeString(marker, "/bin/sh\n");
    FileTime before = Files.getLastModifiedTime(jsa);
    Processes.Output second = Processes.run(List.of("sh", "-c", "jbuild --version"), env, tmp);
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(Files.readString(marker).strip()).isEqualTo(java);
    assertThat(Files.getLastModifiedTime(jsa)).isNotEqualTo(before);
    // And a fresh archive is kept: the third start leaves it alone.
    FileTime made = Files.getLastModifiedTime(jsa);
    assertThat(Processes.run(List.of("sh", "-c", "jbuild --version"), env, tmp).exit()).isZero();
    assertThat(Files.getLastModifiedTime(jsa)).isEqualTo(made);
  }

  /** bin/jbuild and lib/ (the jars only) as the distribution tarball lays them out. */
  private static Path installedCopy(Path dist) throws IOException {
    Files.createDirectories(dist.resolve("bin"));
    Files.createDirectories(dist.resolve("lib"));
    Files.copy(REPO.resolve("jbuild"), dist.resolve("bin/jbuild"));
    try (Stream<Path> jars = Files.list(REPO.resolve("cli/target/lib"))) {
      for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar"))::iterator) {
        Files.copy(jar, dist.resolve("lib").resolve(jar.getFileName()));
      }
    }
    return dist;
  }

  /**
   * When the archive cannot be made, jbuild still runs, says so once, and does not retry until the java (or a jar)
   * changes; with another java it tries again and succeeds.
   */
  @Test
  void startUpArchive_thatCannotBeMade_isReportedOnce_andRetriedForAnotherJava() throws Exception {
    Path dist = installedCopy(tmp.resolve("dist"));
    String realJava = Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath().toString();
    Path jdk = Files.createDirectories(tmp.resolve("fakejdk/bin"));
    Path fake = jdk.resolve("java");
    Files.writeString(fake, "#!/bin/sh\n"
        + "for a in \"$@\"; do [ \"$a\" = -Xshare:dump ] && { echo simulated dump failure >&2; exit 1; }; done\n"
        + "exec " + realJava + " \"$@\"\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> version = List.of(dist.resolve("bin/jbuild").toString(), "--version");
    Map<String, String> withFake = Map.of("JAVA_HOME", jdk.getParent().toString());
    Path lib = dist.resolve("lib");

    Processes.Output first = Processes.run(version, withFake, tmp);
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.out()).startsWith("jbuild 0.");
    assertThat(first.err()).contains("could not make the start-up archive").contains("simulated dump failure");
    assertThat(lib.resolve("jbuild.jsa")).doesNotExist();
    assertThat(lib.resolve("jbuild.jsa.failed")).isRegularFile();

    Processes.Output second = Processes.run(version, withFake, tmp);
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(second.err()).doesNotContain("start-up archive");

    Processes.Output real = Processes.run(version, Map.of(), tmp);
    assertThat(real.exit()).as(real.toString()).isZero();
    assertThat(real.err()).doesNotContain("could not make");
    assertThat(lib.resolve("jbuild.jsa")).isRegularFile();
    assertThat(lib.resolve("jbuild.jsa.failed")).doesNotExist();
  }

  @Test
  void build_withSourceDateEpoch_twoCopiesAtDifferentPathsAndTimes_sameDigest() throws Exception {
    Path a = copyOf(REPO.resolve("samples/hello"), tmp.resolve("one/hello"), Instant.parse("2025-03-01T10:00:00Z"));
    Path b = copyOf(REPO.resolve("samples/hello"), tmp.resolve("two/deeper/hello"), Instant.parse("2026-07-09T23:59:59Z"));
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
    Processes.Output first = Processes.run(
        List.of(LAUNCHER, "--root", tmp.resolve("store1").toString(), "-t", "hello:1", a.toString()), env, tmp);
    Processes.Output second = Processes.run(
        List.of(LAUNCHER, "--root", tmp.resolve("store2").toString(), "build", "-t", "hello:1", b.toString()), env, b);
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(first.out().strip()).matches("sha256:[0-9a-f]{64}").isEqualTo(second.out().strip());
    // Without the epoch the file times differ, and so must the digests: the test above is not vacuous.
    Processes.Output unclamped = Processes.run(
        List.of(LAUNCHER, "--root", tmp.resolve("store3").toString(), "-t", "hello:1", b.toString()), Map.of(), tmp);
    assertThat(unclamped.out().strip()).isNotEqualTo(first.out().strip());
  }

  @Test
  void unprivilegedUser_buildsIntoItsOwnStore() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to the test user");
    Processes.Output id = Processes.run(List.of("id", "-u", TEST_USER), Map.of(), null);
    assumeTrue(id.exit() == 0, "no test user " + TEST_USER + " (scripts/install-deps creates it)");
    Path ctx = copyOf(REPO.resolve("samples/hello"), tmp.resolve("ctx"), Instant.now());
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Processes.Output build = Processes.run(
        List.of("runuser", "-u", TEST_USER, "--", LAUNCHER, "build", "-q", "-t", "mine:1", ctx.toString()),
        Map.of(), tmp);
    assertThat(build.exit()).as(build.toString()).isZero();
    Processes.Output images = Processes.run(List.of("runuser", "-u", TEST_USER, "--", LAUNCHER, "images"), Map.of(), tmp);
    assertThat(images.out()).contains("mine");
    String home = Processes.run(List.of("sh", "-c", "getent passwd " + TEST_USER + " | cut -d: -f6"), Map.of(), null)
        .out().strip();
    assertThat(Path.of(home, ".local/share/jbuild/index.json")).exists();
  }

  private static Path copyOf(Path from, Path to, Instant mtime) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(p, target);
        }
      }
    }
    try (Stream<Path> walk = Files.walk(to)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Files.setLastModifiedTime(p, FileTime.from(mtime));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return to;
  }
}

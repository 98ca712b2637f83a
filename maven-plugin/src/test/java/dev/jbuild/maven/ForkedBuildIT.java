package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fork path as a non-root Maven takes it: an unprivileged user ({@code jbuildtest}, made by the test setup) runs
 * {@code unshare --user --map-auto --map-root-user --mount -- java -cp ... ForkMain}, and a RUN step sees uid 0 of the
 * namespace. The classpath is copied out of /root (which the user cannot read), as a user's own ~/.m2 would be.
 */
class ForkedBuildIT {
  private static final String USER = System.getenv().getOrDefault("JBUILD_TEST_USER", "jbuildtest");

  static Path shared;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(Processes.isRoot(), "switches to the test user with runuser");
    assumeTrue(new ProcessBuilder("id", USER).start().waitFor() == 0, "needs the test user " + USER);
    // A directory every user can traverse, owned by the test user (JUnit's @TempDir is 0700 root).
    shared = Files.createTempDirectory(Path.of("/tmp"), "jbuild-fork-it-");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (shared != null) {
      // The child's files belong to the test user and its subordinate ids; root removes them all.
      new ProcessBuilder("rm", "-rf", "--one-file-system", shared.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void run_asUnprivilegedUserInAUserNamespace_runStepIsRootInside() throws Exception {
    Path storeRoot = shared.resolve("store");
    try (Store store = Store.open(storeRoot)) {
      BaseImages.busybox(store, "busybox:base");
    }
    Path context = Files.createDirectories(shared.resolve("ctx"));
    Files.writeString(context.resolve("Dockerfile"),
        "FROM busybox:base\nRUN echo \"uid=$(id -u)\" && touch /made-by-run\n");
    List<Path> classpath = readableClasspath(Files.createDirectories(shared.resolve("lib")));
    chown(shared);

    List<String> prefix = new ArrayList<>(List.of("runuser", "-u", USER, "--"));
    prefix.addAll(List.of("unshare", "--user", "--map-auto", "--map-root-user", "--mount", "--"));
    List<String> command = ForkedBuild.command(prefix, Path.of(System.getProperty("java.home"), "bin", "java"),
        classpath, "/tmp");
    BuildRequest request = new BuildRequest(BuildOptions.builder(context).tag("forked:1").build(), storeRoot, true,
        null);
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    List<String> stderr = new CopyOnWriteArrayList<>();

    BuildResult result = ForkedBuild.run(command, request, events::add, stderr::add);

    assertThat(events).contains(new BuildEvent.Output("stage-0", 2, "uid=0"));
    try (Store store = Store.open(storeRoot)) {
      assertThat(store.images().resolve("forked:1")).contains(result.manifest());
    }
    // Everything the child wrote on the host belongs to the unprivileged user, not to root.
    assertThat(Files.getOwner(storeRoot.resolve("index.json")).getName()).isEqualTo(USER);
  }

  @Test
  void run_childFailsTheBuild_throwsItsMessage() throws Exception {
    Path context = Files.createDirectories(shared.resolve("bad"));
    Files.writeString(context.resolve("Dockerfile"), "FROM busybox:base\nRUN exit 3\n");
    Path storeRoot = shared.resolve("store-bad");
    try (Store store = Store.open(storeRoot)) {
      BaseImages.busybox(store, "busybox:base");
    }
    List<Path> classpath = readableClasspath(Files.createDirectories(shared.resolve("lib-bad")));
    chown(shared);
    List<String> prefix = List.of("runuser", "-u", USER, "--", "unshare", "--user", "--map-auto", "--map-root-user",
        "--mount", "--");
    List<String> command = ForkedBuild.command(prefix, Path.of(System.getProperty("java.home"), "bin", "java"),
        classpath, "/tmp");

    BuildException e = org.junit.jupiter.api.Assertions.assertThrows(BuildException.class, () -> ForkedBuild.run(
        command, new BuildRequest(BuildOptions.builder(context).build(), storeRoot, true, null), ev -> { }, l -> { }));

    assertThat(e.getMessage()).contains("Dockerfile:2").contains("exit");
  }

  /** This test JVM's classpath, with jars copied where the test user can read them. */
  private static List<Path> readableClasspath(Path lib) throws Exception {
    List<Path> out = new ArrayList<>();
    int i = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isRegularFile(p)) {
        Path copy = lib.resolve((i++) + "-" + p.getFileName());
        Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
        out.add(copy);
      } else if (Files.isDirectory(p) && p.toString().contains("/target/")) {
        out.add(p); // the worktree's target/classes dirs are world-readable
      }
    }
    return out;
  }

  private static void chown(Path dir) throws Exception {
    Process p = new ProcessBuilder("chown", "-R", USER + ":", dir.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
  }
}

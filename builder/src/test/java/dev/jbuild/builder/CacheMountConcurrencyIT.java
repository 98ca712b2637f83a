package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache mounts used by builds running at the same time in one JVM and one store (security cases K10 and K11). The
 * builds and the test talk through marker files in the cache directory, so nothing depends on timing except the
 * bounded waits.
 */
class CacheMountConcurrencyIT {
  /** A shell loop waiting up to 30 s for a file; a marker protocol, not a timing assumption. */
  private static String waitFor(String file) {
    return "i=0; while test ! -e " + file + " -a $i -lt 300; do sleep 0.1; i=$((i+1)); done; ";
  }

  @TempDir Path tmp;
  private RunFixture r;
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws Exception {
    r = new RunFixture(tmp);
    pool = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void tearDown() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    r.close();
  }

  /** A build of {@code dockerfile} in its own context, on the pool; its RUN output goes to {@code output}. */
  private Future<BuildResult> start(String name, String dockerfile, List<String> output) throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx-" + name));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return pool.submit(() -> r.buildWith(ctx, e -> {
      if (e instanceof BuildEvent.Output o) {
        output.add(o.line());
      }
    }, o -> o));
  }

  /** The host file called {@code name} in some cache mount dir, once it exists. */
  private Path awaitCacheFile(String name) throws Exception {
    Path cacheRoot = r.f.store.root().resolve("cache-mounts");
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (Files.isDirectory(cacheRoot)) {
        try (Stream<Path> walk = Files.walk(cacheRoot)) {
          Optional<Path> found = walk.filter(p -> p.getFileName().toString().equals(name)).findFirst();
          if (found.isPresent()) {
            return found.get();
          }
        } catch (java.io.UncheckedIOException e) {
          // a private dir vanished while we walked: look again
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + name + " appeared in a cache mount");
  }

  private static List<String> syncList() {
    return Collections.synchronizedList(new ArrayList<>());
  }

  @Test
  void cacheMount_locked_secondBuildWaitsUntilTheFirstReleases() throws Exception {
    List<String> outA = syncList();
    List<String> outB = syncList();
    String mount = "RUN --mount=type=cache,id=k10,target=/c,sharing=locked ";
    Future<BuildResult> a = start("a", "FROM busybox:test\n" + mount + "sh -c 'touch /c/a-start; "
        + waitFor("/c/release") + "rm /c/release; touch /c/a-end; echo a-done'\n", outA);
    Path aStart = awaitCacheFile("a-start");
    Future<BuildResult> b = start("b", "FROM busybox:test\n" + mount
        + "sh -c 'touch /c/b-ran; test -e /c/a-end && echo b-after-a || echo b-overlapped'\n", outB);
    // B must be blocked on the lock: give it ample time to (wrongly) run, then check it did not.
    Thread.sleep(1500);
    assertThat(b).isNotDone();
    assertThat(aStart.resolveSibling("b-ran")).doesNotExist();
    Files.writeString(aStart.resolveSibling("release"), "");
    a.get(60, TimeUnit.SECONDS);
    b.get(60, TimeUnit.SECONDS);
    assertThat(outA).containsExactly("a-done");
    assertThat(outB).containsExactly("b-after-a");
  }

  @Test
  void cacheMount_locked_waitingBuildIsCancellable() throws Exception {
    String mount = "RUN --mount=type=cache,id=k10c,target=/c,sharing=locked ";
    Future<BuildResult> a = start("a", "FROM busybox:test\n" + mount + "sh -c 'touch /c/a-start; "
        + waitFor("/c/release") + "echo a-done'\n", syncList());
    Path aStart = awaitCacheFile("a-start");
    Future<BuildResult> b = start("b", "FROM busybox:test\n" + mount + "touch /c/b-ran\n", syncList());
    Thread.sleep(1000);
    assertThat(b.cancel(true)).isTrue();
    Files.writeString(aStart.resolveSibling("release"), "");
    a.get(60, TimeUnit.SECONDS);
    assertThat(aStart.resolveSibling("b-ran")).doesNotExist();
  }

  @Test
  void cacheMount_private_secondBuildGetsItsOwnEmptyDir_droppedAfterwards() throws Exception {
    List<String> outA = syncList();
    List<String> outB = syncList();
    String mount = "RUN --mount=type=cache,id=k10p,target=/c,sharing=private ";
    Future<BuildResult> a = start("a", "FROM busybox:test\n" + mount + "sh -c 'touch /c/a-start; "
        + waitFor("/c/release") + "ls /c'\n", outA);
    Path aStart = awaitCacheFile("a-start");
    Future<BuildResult> b = start("b", "FROM busybox:test\n" + mount
        + "sh -c 'ls -A /c; touch /c/b-file; echo b-done'\n", outB);
    b.get(60, TimeUnit.SECONDS); // does not wait for A
    assertThat(outB).containsExactly("b-done");
    Files.writeString(aStart.resolveSibling("release"), "");
    a.get(60, TimeUnit.SECONDS);
    assertThat(outA).containsExactly("a-start", "release");
    // With nobody else using it, the next private build gets the persistent dir A used.
    r.build("FROM busybox:test\n" + mount + "ls /c\n");
    assertThat(r.output()).containsExactly("a-start", "release");
  }

  @Test
  void cacheMount_shared_bothBuildsUseTheSameDirAtTheSameTime() throws Exception {
    List<String> outA = syncList();
    List<String> outB = syncList();
    String mount = "RUN --mount=type=cache,id=k10s,target=/c,sharing=shared ";
    Future<BuildResult> a = start("a", "FROM busybox:test\n" + mount + "sh -c 'touch /c/a-start; "
        + waitFor("/c/b-start") + "test -e /c/b-start && echo a-saw-b || echo a-alone'\n", outA);
    awaitCacheFile("a-start");
    Future<BuildResult> b = start("b", "FROM busybox:test\n" + mount
        + "sh -c 'touch /c/b-start; test -e /c/a-start && echo b-saw-a'\n", outB);
    b.get(60, TimeUnit.SECONDS);
    a.get(60, TimeUnit.SECONDS);
    assertThat(outB).containsExactly("b-saw-a");
    assertThat(outA).containsExactly("a-saw-b");
  }

  @Test
  void cacheMounts_nestedTargets_twentyParallelTwoStageBuilds_K11_allSucceed() throws Exception {
    String mounts = "RUN --mount=type=cache,target=/foo/bar --mount=type=cache,target=/foo/bar/baz ";
    String dockerfile = "FROM busybox:test AS one\nARG N\n"
        + mounts + "sh -c 'echo $N > /foo/bar/baz/f-$N; echo $N > /foo/bar/g-$N; echo one-$N > /one'\n"
        + "FROM busybox:test\nARG N\n"
        + mounts + "--mount=type=bind,from=one,target=/one-root sh -c 'cat /foo/bar/baz/f-$N /foo/bar/g-$N "
        + "/one-root/one'\n";
    Path ctx = Files.createDirectories(tmp.resolve("ctx-k11"));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    List<Future<List<String>>> builds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String n = String.valueOf(i);
      builds.add(pool.submit(() -> {
        List<String> out = syncList();
        r.buildWith(ctx, e -> {
          if (e instanceof BuildEvent.Output o) {
            out.add(o.line());
          }
        }, o -> o.buildArg("N", n));
        return out;
      }));
    }
    for (int i = 0; i < builds.size(); i++) {
      assertThat(builds.get(i).get(120, TimeUnit.SECONDS)).as("build " + i).containsExactly(
          String.valueOf(i), String.valueOf(i), "one-" + i);
    }
    List<String> dirs;
    try (Stream<Path> s = Files.list(r.f.store.root().resolve("cache-mounts"))) {
      dirs = s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
    assertThat(dirs).as("one persistent dir per cache id").hasSize(2);
  }
}

package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build cache as a user sees it, judged by the step events (never by timing). */
class BuildCacheIT {
  private static final String DEPS_RUN = "RUN echo deps-$V > /deps && echo ran-deps";
  private static final String COPY_A = "COPY a.txt ./";
  private static final String ADD_B = "ADD b.txt ./";
  private static final String RUN_BOTH = "RUN cat a.txt b.txt > both && echo ran-both";
  private static final String COPY_FROM = "RUN --mount=type=bind,from=deps,source=/deps,target=/m/deps cp /m/deps .";
  private static final String RUN_MOUNTS = "RUN --mount=type=cache,target=/c --mount=type=bind,source=dir,target=/d "
      + "cat /d/f > f && echo ran-mounts";
  private static final String DOCKERFILE = "FROM busybox:test AS deps\nARG V=1\n" + DEPS_RUN + "\n"
      + "FROM busybox:test AS main\nENV E=1\nWORKDIR /app\n" + COPY_A + "\n" + ADD_B + "\n" + RUN_BOTH + "\n"
      + COPY_FROM + "\n" + RUN_MOUNTS + "\n";
  private static final List<String> ALL = List.of(DEPS_RUN, COPY_A, ADD_B, RUN_BOTH, COPY_FROM, RUN_MOUNTS);

  @TempDir Path tmp;
  private RunFixture r;
  private BuildResult first;

  @BeforeEach
  void setUp() throws Exception {
    r = new RunFixture(tmp);
    r.file("a.txt", "a\n").file("b.txt", "b\n").file("dir/f", "f\n").file("unrelated.txt", "u\n");
    first = r.build(DOCKERFILE);
    assertThat(r.ranSteps()).containsExactlyElementsOf(ALL);
  }

  @AfterEach
  void tearDown() throws Exception {
    r.close();
  }

  private List<String> cachedSteps() {
    return r.finished().stream().filter(e -> e.cached() && RunFixture.makesLayer(e.instruction()))
        .map(BuildEvent.StepFinished::instruction).collect(Collectors.toList());
  }

  @Test
  void rebuild_noChange_runsNoStep_andGivesTheSameDigest() throws Exception {
    BuildResult again = r.build(DOCKERFILE);
    assertThat(r.ranSteps()).isEmpty();
    assertThat(cachedSteps()).containsExactlyElementsOf(ALL);
    assertThat(r.output()).isEmpty();
    assertThat(again.manifest()).isEqualTo(first.manifest());
    assertThat(again.configDigest()).isEqualTo(first.configDigest());
  }

  @Test
  void rebuild_unrelatedFileChangedOrTouched_runsNoStep() throws Exception {
    Files.writeString(r.f.context.resolve("unrelated.txt"), "changed\n");
    Files.setLastModifiedTime(r.f.context.resolve("a.txt"), FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));
    BuildResult again = r.build(DOCKERFILE);
    assertThat(r.ranSteps()).isEmpty();
    assertThat(again.manifest()).isEqualTo(first.manifest());
  }

  @Test
  void rebuild_oneContextFileEdited_rerunsOnlyFromTheCopyThatTakesItIn() throws Exception {
    Files.writeString(r.f.context.resolve("b.txt"), "b2\n");
    r.build(DOCKERFILE);
    assertThat(r.ranSteps()).containsExactly(ADD_B, RUN_BOTH, COPY_FROM, RUN_MOUNTS);
    assertThat(cachedSteps()).containsExactly(DEPS_RUN, COPY_A);
    assertThat(r.output()).containsExactly("ran-both", "ran-mounts");
  }

  @Test
  void rebuild_bindMountSourceEdited_rerunsThatRunOnly() throws Exception {
    Files.writeString(r.f.context.resolve("dir/f"), "f2\n");
    BuildResult again = r.build(DOCKERFILE);
    assertThat(r.ranSteps()).containsExactly(RUN_MOUNTS);
    assertThat(r.flattened(again).get("app/f").content()).isEqualTo("f2\n");
  }

  @Test
  void rebuild_buildArgChanged_rerunsTheRunThatUsesIt_andSaysWhy() throws Exception {
    BuildResult again = r.build(DOCKERFILE, o -> o.buildArg("V", "2"));
    assertThat(r.ranSteps()).first().isEqualTo(DEPS_RUN);
    assertThat(cachedSteps()).contains(COPY_A, ADD_B, RUN_BOTH);
    assertThat(r.output()).startsWith("ran-deps");
    assertThat(r.flattened(again).get("app/deps").content()).isEqualTo("deps-2\n");
    List<String> misses;
    synchronized (r.events) {
      misses = r.events.stream().filter(e -> e instanceof BuildEvent.CacheMiss)
          .map(e -> ((BuildEvent.CacheMiss) e).explanation()).collect(Collectors.toList());
    }
    assertThat(misses).first().asString().contains("V=1", "V=2");
  }

  @Test
  void rebuild_noCache_runsEveryStep() throws Exception {
    r.build(DOCKERFILE, o -> o.noCache(true));
    assertThat(r.ranSteps()).containsExactlyElementsOf(ALL);
    assertThat(r.output()).containsExactly("ran-deps", "ran-both", "ran-mounts");
  }

  @Test
  void rebuild_noCacheFilter_runsThatStageOnly() throws Exception {
    r.build(DOCKERFILE, o -> o.noCacheFilter("main"));
    assertThat(r.ranSteps()).containsExactly(COPY_A, ADD_B, RUN_BOTH, COPY_FROM, RUN_MOUNTS);
    assertThat(cachedSteps()).containsExactly(DEPS_RUN);
    r.build(DOCKERFILE, o -> o.noCacheFilter("deps"));
    assertThat(r.ranSteps()).startsWith(DEPS_RUN).doesNotContain(COPY_A, ADD_B, RUN_BOTH);
    assertThat(r.output()).first().isEqualTo("ran-deps");
  }

  @Test
  void rebuild_afterNoCacheRun_usesTheNewResults() throws Exception {
    BuildResult fresh = r.build(DOCKERFILE, o -> o.noCache(true));
    BuildResult cached = r.build(DOCKERFILE);
    assertThat(r.ranSteps()).isEmpty();
    assertThat(cached.manifest()).isEqualTo(fresh.manifest());
  }
}

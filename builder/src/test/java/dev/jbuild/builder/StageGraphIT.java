package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which stages a build runs: only those the target needs, through FROM, COPY --from and RUN --mount from=. */
class StageGraphIT {
  @TempDir Path tmp;
  private RunFixture r;

  @BeforeEach
  void setUp() throws Exception {
    r = new RunFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    r.close();
  }

  private Set<String> stagesStarted() {
    synchronized (r.events) {
      return r.events.stream().filter(e -> e instanceof BuildEvent.StepStarted)
          .map(e -> ((BuildEvent.StepStarted) e).stage()).collect(Collectors.toSet());
    }
  }

  @Test
  void build_unusedStage_isSkippedAndItsRunNeverRuns() throws Exception {
    BuildResult b = r.build("FROM busybox:test AS unused\nRUN echo unused-ran > /u\n"
        + "FROM busybox:test AS used\nRUN echo used-ran > /v && echo used-ran\n");
    assertThat(r.output()).containsExactly("used-ran");
    assertThat(stagesStarted()).containsExactly("used");
    assertThat(r.flattened(b)).containsKey("v").doesNotContainKey("u");
  }

  @Test
  void build_target_stopsAtThatStage_andSkipsLaterOnes() throws Exception {
    BuildResult b = r.build("FROM busybox:test AS first\nRUN echo first > /first && echo first-ran\n"
        + "FROM first AS second\nRUN echo second-ran\n", o -> o.target("first"));
    assertThat(r.output()).containsExactly("first-ran");
    assertThat(stagesStarted()).containsExactly("first");
    assertThat(r.flattened(b).get("first").content()).isEqualTo("first\n");
  }

  @Test
  void build_mountFrom_pullsInThoseStagesOnly() throws Exception {
    BuildResult b = r.build("FROM busybox:test AS a\nRUN echo A > /a && echo a-ran\n"
        + "FROM busybox:test AS b\nRUN echo b-ran\n"
        + "FROM busybox:test AS tools\nRUN echo tool > /tool && echo tools-ran\n"
        + "FROM busybox:test\nRUN --mount=type=bind,from=a,source=/a,target=/m/a cp /m/a /copied\n"
        + "RUN --mount=type=bind,from=tools,target=/t cat /t/tool\n");
    // a and tools are independent, so they may run at the same time and in either order.
    assertThat(r.output()).hasSize(3).containsOnlyOnce("a-ran", "tools-ran").endsWith("tool");
    assertThat(stagesStarted()).contains("a", "tools").doesNotContain("b");
    assertThat(r.flattened(b).get("copied").content()).isEqualTo("A\n");
    assertThat(r.flattened(b)).doesNotContainKeys("tool", "a");
  }

  @Test
  void build_mountFromStageDefinedLater_runsItFirst() throws Exception {
    BuildResult b = r.build("FROM busybox:test AS main\n"
        + "RUN --mount=type=bind,from=late,target=/l cp /l/late /late\n"
        + "FROM busybox:test AS late\nRUN echo late > /late\n", o -> o.target("main"));
    assertThat(r.flattened(b).get("late").content()).isEqualTo("late\n");
    assertThat(stagesStarted()).containsExactlyInAnyOrder("main", "late");
  }

  @Test
  void build_cyclicCopyFrom_failsNamingTheStage() {
    assertThatThrownBy(() -> r.build("FROM busybox:test AS a\nCOPY --from=b /x /x\n"
        + "FROM busybox:test AS b\nCOPY --from=a /y /y\n", o -> o.tag("never:1")))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("circular dependency detected on stage");
    assertThat(r.output()).isEmpty();
  }

  @Test
  void build_stageMountingItself_failsWithTheLine() {
    assertThatThrownBy(() -> r.build("FROM busybox:test AS self\n\nRUN --mount=type=bind,from=self,target=/s true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:3: circular dependency detected on stage: self");
  }

  @Test
  void build_cycleThroughMountFrom_failsBeforeAnyRun() {
    assertThatThrownBy(() -> r.build("FROM busybox:test AS a\nRUN echo a-ran\n"
        + "RUN --mount=type=bind,from=b,target=/b true\n"
        + "FROM busybox:test AS b\nRUN echo b-ran\nCOPY --from=a /etc/passwd /p\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("circular dependency detected on stage");
    assertThat(r.output()).isEmpty();
  }

  /**
   * A stage named through a variable: one set before the first FROM is seen by the plan, so the stage is built
   * first; one set only inside the stage is not, and the build says so at the line instead of pulling an image of
   * that name.
   */
  @Test
  void build_copyFromThroughAVariable_globalArgWorks_stageArgFailsClearly() throws Exception {
    r.file("a.txt", "ctx\n");
    BuildResult b = r.build("ARG SRC=builder\nFROM scratch AS builder\nCOPY a.txt /\n"
        + "FROM scratch\nARG SRC\nCOPY --from=$SRC /a.txt /b.txt\n");
    assertThat(r.f.lastLayer(b).get("b.txt").content()).isEqualTo("ctx\n");

    assertThatThrownBy(() -> r.build("FROM scratch AS builder\nCOPY a.txt /\n"
        + "FROM scratch\nARG SRC=builder\nCOPY --from=$SRC /a.txt /b.txt\n", o -> o.tag("never:1")))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:5: stage \"builder\" is named through a variable the build plan could "
            + "not see");
  }
}

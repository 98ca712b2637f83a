package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.testing.BaseImages;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache keys of the steps that need no container (COPY, WORKDIR, config-only instructions), judged by the step
 * events: what a step's result depends on must be in its key (no wrong hit). RUN steps are in {@link BuildCacheIT}.
 */
class BuildCacheTest {
  @TempDir Path tmp;
  private BuildFixture f;
  private final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private BuildResult build(String dockerfile, Consumer<BuildOptions.Builder> options) throws Exception {
    events.clear();
    return f.build(dockerfile, events::add, options);
  }

  private BuildResult build(String dockerfile) throws Exception {
    return build(dockerfile, o -> { });
  }

  /** The instructions of the last build's steps that came from the cache (FROM left out). */
  private List<String> cached() {
    synchronized (events) {
      return events.stream().filter(e -> e instanceof BuildEvent.StepFinished s && s.cached()
              && !s.instruction().startsWith("FROM"))
          .map(e -> ((BuildEvent.StepFinished) e).instruction()).collect(Collectors.toList());
    }
  }

  @Test
  void sourceDateEpoch_setOrChanged_rerunsTheSteps_whoseLayersItClamps() throws Exception {
    f.file("a.txt", "a");
    Files.setLastModifiedTime(f.context.resolve("a.txt"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
    String dockerfile = "FROM scratch\nCOPY a.txt /\n";
    build(dockerfile);
    Instant epoch = Instant.ofEpochSecond(1_700_000_000);
    BuildResult clamped = build(dockerfile, o -> o.sourceDateEpoch(epoch));
    assertThat(cached()).isEmpty();
    assertThat(f.lastLayer(clamped).get("a.txt").mtime()).isEqualTo(epoch);
    assertThat(f.config(clamped).history()).extracting(ImageConfig.HistoryEntry::created).containsOnly(epoch);
    Instant later = epoch.plusSeconds(3600);
    BuildResult other = build(dockerfile, o -> o.sourceDateEpoch(later));
    assertThat(cached()).isEmpty();
    assertThat(f.lastLayer(other).get("a.txt").mtime()).isEqualTo(later);
    build(dockerfile, o -> o.sourceDateEpoch(later));
    assertThat(cached()).containsExactly("COPY a.txt /");
  }

  /**
   * A step reached from the same state by other steps hits, but the image's history is this Dockerfile's: the hit
   * adds its own line, not the lines of the build that filled the cache.
   */
  @Test
  void hit_afterOtherStepsToTheSameState_keepsThisBuildsHistory() throws Exception {
    f.file("a.txt", "a");
    build("FROM scratch\nENV A=1\nENV A=2\nCOPY a.txt /\n");
    BuildResult r = build("FROM scratch\nENV A=2\nCOPY a.txt /\n");
    assertThat(cached()).containsExactly("COPY a.txt /");
    assertThat(f.config(r).history()).extracting(ImageConfig.HistoryEntry::createdBy)
        .containsExactly("ENV A=2", "COPY a.txt /");
  }

  /** ENTRYPOINT keeps a CMD set earlier in the stage but resets one the base image set: the same config either way. */
  @Test
  void entrypoint_afterOwnCmd_andAfterInheritedCmd_areDifferentSteps() throws Exception {
    build("FROM scratch AS base\nCMD [\"hi\"]\n");
    ContainerConfig own = f.config(build("FROM scratch AS base\nCMD [\"hi\"]\n"
        + "FROM base\nCMD [\"hi\"]\nENTRYPOINT [\"/bin/echo\"]\n")).config();
    assertThat(own.cmd()).containsExactly("hi");
    ContainerConfig inherited = f.config(build("FROM scratch AS base\nCMD [\"hi\"]\n"
        + "FROM base\nENTRYPOINT [\"/bin/echo\"]\n")).config();
    assertThat(inherited.entrypoint()).containsExactly("/bin/echo");
    assertThat(inherited.cmd()).isNull();
  }

  /** An ARG declared without a value is unset, which ${X+...} tells from one set to the empty string. */
  @Test
  void arg_unset_andSetToEmpty_areDifferentValues() throws Exception {
    String dockerfile = "FROM scratch\nARG X\nLABEL x=${X+set}\n";
    assertThat(f.config(build(dockerfile)).config().labels()).containsEntry("x", "");
    BuildResult empty = build(dockerfile, o -> o.buildArg("X", ""));
    assertThat(f.config(empty).config().labels()).containsEntry("x", "set");
    build(dockerfile, o -> o.buildArg("X", ""));
    assertThat(cached()).containsExactly("LABEL x=${X+set}");
  }

  /** The escape directive changes what the same line expands to. */
  @Test
  void escapeDirective_changed_changesTheKey() throws Exception {
    String steps = "FROM scratch\nENV B=b\nENV A=x\\$B\n";
    assertThat(f.config(build(steps)).config().env()).contains("A=x$B");
    BuildResult backtick = build("# escape=`\n" + steps);
    assertThat(f.config(backtick).config().env()).contains("A=x\\b");
  }

  /**
   * COPY and RUN never see LABEL, CMD, EXPOSE and the like, so changing them above a step does not rerun it (as in
   * BuildKit); the image still gets the new values.
   */
  @Test
  void labelChangedAboveACopy_copyStillHits_andTheImageHasTheNewLabel() throws Exception {
    f.file("a.txt", "a");
    build("FROM scratch\nLABEL v=1\nEXPOSE 80\nCOPY a.txt /\nENV E=1\n");
    BuildResult r = build("FROM scratch\nLABEL v=2\nEXPOSE 81\nCOPY a.txt /\nENV E=1\n");
    assertThat(cached()).containsExactly("COPY a.txt /");
    ImageConfig c = f.config(r);
    assertThat(c.config().labels()).containsExactly(java.util.Map.entry("v", "2"));
    assertThat(c.config().exposedPorts()).containsExactly("81/tcp");
    assertThat(c.config().env()).containsExactly("E=1");
    assertThat(c.history()).extracting(ImageConfig.HistoryEntry::createdBy)
        .containsExactly("LABEL v=2", "EXPOSE 81", "COPY a.txt /", "ENV E=1");
    assertThat(f.manifest(r).layers()).hasSize(1);
  }

  /** What COPY does depend on in the config still reruns it: WORKDIR places a relative destination. */
  @Test
  void workdirChangedAboveACopy_rerunsIt() throws Exception {
    f.file("a.txt", "a");
    build("FROM scratch\nWORKDIR /x\nCOPY a.txt .\n");
    BuildResult r = build("FROM scratch\nWORKDIR /y\nCOPY a.txt .\n");
    assertThat(cached()).doesNotContain("COPY a.txt .");
    assertThat(f.lastLayer(r)).containsKey("y/a.txt");
  }
}

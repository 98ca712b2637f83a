package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.registry.RegistryEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The live view, drawn on a fake 60-column terminal with a fake clock; no System.console involved. */
class TtyProgressTest {
  private static final long SECOND = 1_000_000_000L;
  private final StringWriter out = new StringWriter();
  private final AtomicLong now = new AtomicLong(0);
  private final TtyProgress tty = new TtyProgress(new PrintWriter(out), new Terminal(true, 60, 20), now::get, false);

  private List<String> screen() {
    return new AnsiScreen().feed(out.toString()).lines();
  }

  private void at(double seconds, BuildEvent e) {
    now.set((long) (seconds * SECOND));
    tty.onEvent(e);
  }

  @Test
  void render_runningStep_showsTimerAndOnlyTheLastSixLinesOfOutput() {
    at(0, new BuildEvent.StepStarted("stage-0", 1, 3, "FROM busybox:1"));
    at(0.2, new BuildEvent.StepFinished("stage-0", 1, "FROM busybox:1", false, Duration.ofMillis(200)));
    at(0.3, new BuildEvent.StepStarted("stage-0", 2, 3, "RUN make"));
    for (int i = 1; i <= 8; i++) {
      at(0.3 + i * 0.2, new BuildEvent.Output("stage-0", 2, "line " + i));
    }

    List<String> s = screen();
    assertThat(s).containsExactly(
        edge(" => [stage-0 1/3] FROM busybox:1", "0.2s"),
        "[+] Building 1.9s (1/3)",
        edge(" => [stage-0 2/3] RUN make", "1.6s"),
        " => => # line 3", " => => # line 4", " => => # line 5", " => => # line 6", " => => # line 7",
        " => => # line 8");
  }

  @Test
  void render_finishedAndCachedSteps_stayAboveAndTheOutputGoes() {
    at(0, new BuildEvent.StepStarted("stage-0", 1, 2, "RUN echo hi"));
    at(0.5, new BuildEvent.Output("stage-0", 1, "hi"));
    at(1, new BuildEvent.StepFinished("stage-0", 1, "RUN echo hi", false, Duration.ofMillis(1000)));
    at(1.1, new BuildEvent.StepStarted("stage-0", 2, 2, "COPY a /"));
    at(1.2, new BuildEvent.StepFinished("stage-0", 2, "COPY a /", true, Duration.ofMillis(10)));
    at(1.3, new BuildEvent.Log(BuildEvent.Level.INFO, "naming to x:1"));
    now.set(2 * SECOND);
    tty.done(result());

    assertThat(screen()).containsExactly(
        edge(" => [stage-0 1/2] RUN echo hi", "1.0s"),
        edge(" => CACHED [stage-0 2/2] COPY a /", "0.0s"),
        "naming to x:1",
        "[+] Building 2.0s (2/2) FINISHED",
        "built " + result().manifest().digest() + " in 2.00s");
  }

  @Test
  void render_pullInProgress_showsATransferBarUntilComplete() {
    Digest blob = Digest.sha256Of("layer".getBytes(StandardCharsets.UTF_8));
    TtyProgress tty = new TtyProgress(new PrintWriter(out), new Terminal(true, 100, 20), now::get, false);
    tty.onEvent(new BuildEvent.StepStarted("stage-0", 1, 1, "FROM example.com/base:1"));
    now.set(SECOND);
    tty.onTransfer(new RegistryEvent.BlobProgress("example.com", "base", RegistryEvent.Direction.PULL, blob,
        512 * 1024, 2048 * 1024));

    assertThat(screen()).contains(
        " => => pull " + blob.shortHex() + " [=====>              ] 512.0 KiB / 2.0 MiB");

    now.set(2 * SECOND);
    tty.onTransfer(new RegistryEvent.BlobProgress("example.com", "base", RegistryEvent.Direction.PULL, blob,
        2048 * 1024, 2048 * 1024));
    assertThat(screen()).noneMatch(l -> l.contains(blob.shortHex()));
  }

  @Test
  void render_longLinesAndControlCharacters_neverWrapOrMoveTheCursor() {
    String longRun = "RUN " + "x".repeat(300);
    at(0, new BuildEvent.StepStarted("stage-0", 1, 1, longRun));
    at(0.5, new BuildEvent.Output("stage-0", 1, "evil\033[2J\033[10Aline " + "y".repeat(200)));
    at(1, new BuildEvent.Log(BuildEvent.Level.WARN, "w".repeat(100)));

    AnsiScreen screen = new AnsiScreen().feed(out.toString());
    assertThat(screen.widest()).isLessThanOrEqualTo(59);
    assertThat(screen.lines()).anySatisfy(l -> assertThat(l).startsWith(" => => # evil?[2J?[10Aline yyy")
        .endsWith("y...").hasSize(59));
    assertThat(screen.lines().get(0)).startsWith("WARNING: www").endsWith("...");
  }

  @Test
  void failed_runningStep_isMarkedErrorWithItsOutput_andTheLiveAreaIsGone() {
    at(0, new BuildEvent.StepStarted("stage-0", 1, 1, "RUN exit 3"));
    at(0.1, new BuildEvent.Output("stage-0", 1, "about to fail"));
    now.set(SECOND / 2);
    tty.failed("Dockerfile:2: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3");

    assertThat(screen()).containsExactly(
        edge(" => ERROR [stage-0 1/1] RUN exit 3", "0.5s"),
        " => => # about to fail",
        "[+] Building 0.5s (0/1) FAILED");
  }

  @Test
  void render_moreLiveLinesThanTheTerminalHas_areCutToFit() {
    TtyProgress small = new TtyProgress(new PrintWriter(out), new Terminal(true, 60, 6), now::get, false);
    small.onEvent(new BuildEvent.StepStarted("a", 1, 2, "RUN one"));
    small.onEvent(new BuildEvent.StepStarted("b", 2, 2, "RUN two"));
    for (int i = 0; i < 6; i++) {
      small.onEvent(new BuildEvent.Output("a", 1, "a" + i));
    }
    List<String> s = screen();
    assertThat(s).hasSize(4);
    assertThat(s.get(3)).isEqualTo(" => ... 6 more lines");
  }

  /** {@code left} and {@code right} against the edge of the 60-column terminal (the last column stays free). */
  private static String edge(String left, String right) {
    return left + " ".repeat(59 - left.length() - right.length()) + right;
  }

  private static BuildResult result() {
    Digest config = Digest.sha256Of("config".getBytes(StandardCharsets.UTF_8));
    Digest manifest = Digest.sha256Of("manifest".getBytes(StandardCharsets.UTF_8));
    return new BuildResult(new Descriptor(MediaType.OCI_MANIFEST, manifest, 100), config, List.of("x:1"));
  }
}

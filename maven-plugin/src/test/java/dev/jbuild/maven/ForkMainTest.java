package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forked child's main, run in this JVM: request on "stdin", JSON lines on "stdout". */
class ForkMainTest {
  @TempDir Path tmp;
  Path storeRoot;
  Path context;

  @BeforeEach
  void store() throws Exception {
    storeRoot = tmp.resolve("store");
    try (Store store = Store.open(storeRoot)) {
      BaseImages.busybox(store, "busybox:base");
    }
    context = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(context.resolve("a.txt"), "hello");
  }

  @Test
  void run_validBuild_streamsEventsThenOneResultAndTagsTheImage() throws Exception {
    Files.writeString(context.resolve("Dockerfile"), "FROM busybox:base\nCOPY a.txt /a.txt\nENV X=1\n");
    BuildRequest request = new BuildRequest(BuildOptions.builder(context).tag("forked:1").build(), storeRoot, true,
        null);

    Outcome out = run(RequestCodec.write(request));

    assertThat(out.status).isZero();
    assertThat(out.lines.get(out.lines.size() - 1)).isInstanceOf(EventCodec.ResultLine.class);
    List<BuildEvent> events = out.events();
    assertThat(events).filteredOn(e -> e instanceof BuildEvent.StepFinished).hasSize(3);
    assertThat(events.get(0)).isEqualTo(new BuildEvent.StepStarted("stage-0", 1, 3, "FROM busybox:base"));
    EventCodec.ResultLine result = (EventCodec.ResultLine) out.lines.get(out.lines.size() - 1);
    try (Store store = Store.open(storeRoot)) {
      assertThat(store.images().resolve("forked:1")).contains(result.result().manifest());
    }

    // FROM only resolves the base image, so it is never "cached"; every step that does work is.
    Outcome again = run(RequestCodec.write(request));
    assertThat(again.events()).filteredOn(e -> e instanceof BuildEvent.StepFinished f && f.index() > 1).hasSize(2)
        .allMatch(e -> ((BuildEvent.StepFinished) e).cached());
  }

  @Test
  void run_dockerfileError_endsWithErrorLineNamingFileAndLine() throws Exception {
    Files.writeString(context.resolve("Dockerfile"), "FROM busybox:base\nCOPPY a.txt /a.txt\n");
    BuildRequest request = new BuildRequest(BuildOptions.builder(context).build(), storeRoot, true, null);

    Outcome out = run(RequestCodec.write(request));

    assertThat(out.status).isEqualTo(1);
    assertThat(out.lines).hasSize(1);
    assertThat(((EventCodec.ErrorLine) out.lines.get(0)).message()).startsWith("Dockerfile:2");
  }

  @Test
  void run_offlineAndBaseImageMissing_failsSayingMavenIsOffline() throws Exception {
    Files.writeString(context.resolve("Dockerfile"), "FROM registry.example/none:1\n");
    BuildRequest request = new BuildRequest(BuildOptions.builder(context).build(), storeRoot, true, null);

    Outcome out = run(RequestCodec.write(request));

    assertThat(out.status).isEqualTo(1);
    assertThat(((EventCodec.ErrorLine) out.lines.get(out.lines.size() - 1)).message())
        .contains("registry.example/none:1").contains("not in the local store").contains("offline (-o)");
  }

  @Test
  void run_garbageRequest_exitsTwoWithAnErrorLine() throws Exception {
    Outcome out = run("not json".getBytes(StandardCharsets.UTF_8));
    assertThat(out.status).isEqualTo(2);
    assertThat(((EventCodec.ErrorLine) out.lines.get(0)).message()).startsWith("invalid build request");
  }

  record Outcome(int status, List<EventCodec.Line> lines) {
    List<BuildEvent> events() {
      List<BuildEvent> events = new ArrayList<>();
      lines.stream().filter(l -> l instanceof EventCodec.EventLine).forEach(l -> events.add(((EventCodec.EventLine) l).event()));
      return events;
    }
  }

  private static Outcome run(byte[] request) throws IOException {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    int status = ForkMain.run(new ByteArrayInputStream(request), stdout);
    List<EventCodec.Line> lines = new ArrayList<>();
    for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        lines.add(EventCodec.decode(line));
      }
    }
    return new Outcome(status, lines);
  }
}

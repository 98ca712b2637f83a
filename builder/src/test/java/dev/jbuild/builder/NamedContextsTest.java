package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.testing.BaseImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --build-context NAME=VALUE}: BuildKit's named contexts, a directory or {@code docker-image://REF}. */
class NamedContextsTest {
  @TempDir Path tmp;
  private BuildFixture f;
  private Path extra;

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
    extra = Files.createDirectories(tmp.resolve("extra"));
    Files.writeString(extra.resolve("a.txt"), "from the named context\n");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private final List<BuildEvent.StepFinished> finished = new CopyOnWriteArrayList<>();

  private BuildResult build(String dockerfile, String name, String value) throws Exception {
    finished.clear();
    return f.build(dockerfile, e -> {
      if (e instanceof BuildEvent.StepFinished s) {
        finished.add(s);
      }
    }, o -> o.buildContext(name, value));
  }

  /** A directory context is copied from, hides the stage of its name (which is not built), and is content-keyed. */
  @Test
  void directory_isCopiedFrom_hidesTheStageOfItsName_andItsContentKeysTheCache() throws Exception {
    // The stage "Extra" would fail (its source is missing): the named context stands in for it, unbuilt.
    String dockerfile = "FROM scratch AS Extra\nCOPY missing.txt /\nFROM scratch\nCOPY --from=extra a.txt /x/\n";
    BuildResult r = build(dockerfile, "extra", extra.toString());
    Map<String, BuildFixture.Entry> layer = f.lastLayer(r);
    assertThat(layer.get("x/a.txt").content()).isEqualTo("from the named context\n");
    assertThat(layer.get("x/a.txt").uid()).isZero();
    assertThat(finished).extracting(BuildEvent.StepFinished::instruction).doesNotContain("COPY missing.txt /");

    BuildResult again = build(dockerfile, "extra", extra.toString());
    assertThat(again.manifest()).isEqualTo(r.manifest());
    assertThat(finished).filteredOn(s -> s.instruction().startsWith("COPY")).allMatch(BuildEvent.StepFinished::cached);

    Files.writeString(extra.resolve("a.txt"), "changed\n");
    BuildResult edited = build(dockerfile, "extra", extra.toString());
    assertThat(finished).filteredOn(s -> s.instruction().startsWith("COPY")).noneMatch(BuildEvent.StepFinished::cached);
    assertThat(f.lastLayer(edited).get("x/a.txt").content()).isEqualTo("changed\n");
  }

  /** docker-image://REF stands for that image in FROM and COPY --from, pinning what the Dockerfile names. */
  @Test
  void dockerImage_standsForTheImage_inFromAndCopyFrom() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    BuildResult r = build("FROM base\nCOPY --from=base /etc/passwd /copied\n", "base",
        "docker-image://busybox:test");
    assertThat(f.manifest(r).layers()).hasSizeGreaterThan(1);
    assertThat(f.lastLayer(r).get("copied").content()).startsWith("root:x:0:0:");
    assertThat(f.config(r).history().get(0).createdBy()).isEqualTo("jbuild test fixture: busybox-static");
  }

  @Test
  void bad_values_failBeforeAnyStep_namingTheContext() {
    assertThatThrownBy(() -> build("FROM scratch\n", "src", "https://example.com/x.tar"))
        .isInstanceOf(BuildException.class).hasMessageContaining("--build-context src=https://example.com/x.tar")
        .hasMessageContaining("only docker-image://REF and local directories");
    assertThatThrownBy(() -> build("FROM scratch\n", "src", tmp.resolve("nothere").toString()))
        .isInstanceOf(BuildException.class).hasMessageContaining("not a directory");
    assertThatThrownBy(() -> build("FROM scratch\n", "img", "docker-image://UPPER/Case"))
        .isInstanceOf(BuildException.class).hasMessageContaining("--build-context img=docker-image://UPPER/Case");
  }

  /** CASES B03 for a named context: a symlink leading out of it is resolved inside it, never on the host. */
  @Test
  void directory_symlinkPointingOutside_neverReadsTheHost() throws Exception {
    Path outside = Files.writeString(tmp.resolve("host-secret.txt"), "host\n");
    Files.createSymbolicLink(extra.resolve("escape"), outside);
    Files.createSymbolicLink(extra.resolve("up"), Path.of("../host-secret.txt"));
    assertThatThrownBy(() -> build("FROM scratch\nCOPY --from=extra escape /x\n", "extra", extra.toString()))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: ");
    assertThatThrownBy(() -> build("FROM scratch\nCOPY --from=extra up /x\n", "extra", extra.toString()))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: ");
    // Copying the directory keeps the links as links; no host bytes enter the layer.
    BuildResult r = build("FROM scratch\nCOPY --from=extra . /x/\n", "extra", extra.toString());
    Map<String, BuildFixture.Entry> layer = f.lastLayer(r);
    assertThat(layer.get("x/escape").link()).isEqualTo(outside.toString());
    assertThat(layer.values()).noneMatch(e -> "host\n".equals(e.content()));
  }

  @Test
  void directory_asFrom_isRefusedAtTheFromLine() {
    assertThatThrownBy(() -> build("# a\nFROM extra\n", "extra", extra.toString()))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: ")
        .hasMessageContaining("is a directory, which COPY --from, ADD --from and RUN --mount=type=bind,from= can read, but not FROM");
  }
}

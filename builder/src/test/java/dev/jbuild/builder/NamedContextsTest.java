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

  /** A local named directory's own .dockerignore applies to COPY --from (and its key), as in BuildKit. */
  @Test
  void directory_honoursItsOwnDockerignore() throws Exception {
    Files.writeString(extra.resolve(".dockerignore"), "secret.env\n");
    Files.writeString(extra.resolve("secret.env"), "TOKEN=abc\n");
    String dockerfile = "FROM scratch\nCOPY --from=extra . /x/\n";
    BuildResult r = build(dockerfile, "extra", extra.toString());
    assertThat(f.lastLayer(r)).containsKey("x/a.txt").doesNotContainKey("x/secret.env");
    Files.writeString(extra.resolve("secret.env"), "TOKEN=changed\n");
    build(dockerfile, "extra", extra.toString());
    assertThat(finished).filteredOn(s -> s.instruction().startsWith("COPY")).allMatch(BuildEvent.StepFinished::cached);
  }

  /**
   * Names compare as BuildKit normalises them: {@code base}, {@code base:latest} and {@code docker.io/library/base}
   * are one name, so a pin is never bypassed by another spelling; another tag is another name.
   */
  @Test
  void dockerImage_matchesEverySpellingOfTheName() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    for (String from : List.of("base:latest", "docker.io/library/base", "docker.io/library/base:latest")) {
      BuildResult r = build("FROM " + from + "\n", "base", "docker-image://busybox:test");
      assertThat(f.config(r).history().get(0).createdBy()).as(from).isEqualTo("jbuild test fixture: busybox-static");
    }
    BuildResult r = build("FROM base\n", "docker.io/library/base:latest", "docker-image://busybox:test");
    assertThat(f.config(r).history().get(0).createdBy()).isEqualTo("jbuild test fixture: busybox-static");
    assertThatThrownBy(() -> build("FROM base:2\n", "base", "docker-image://busybox:test"))
        .isInstanceOf(BuildException.class).hasMessageContaining("base:2");
  }

  @Test
  void bad_values_failBeforeAnyStep_namingTheContext() {
    assertThatThrownBy(() -> build("FROM scratch\n", "src", "oci-layout:///srv/layout"))
        .isInstanceOf(BuildException.class).hasMessageContaining("--build-context src=oci-layout:///srv/layout")
        .hasMessageContaining("docker-image://REF, a git repository, a tarball over HTTP(S) or a local directory");
    assertThatThrownBy(() -> build("FROM scratch\n", "src", "git://127.0.0.1/r.git#--upload-pack=x"))
        .isInstanceOf(BuildException.class).hasMessageContaining("invalid git ref");
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

  /**
   * A tarball over HTTP as a named context: fetched once when first used, unpacked with the layer applier's rules, and
   * read like a directory; something that is not a tar is refused naming the context (and no credentials leak).
   */
  @Test
  void httpTarball_isFetchedAndReadLikeADirectory() throws Exception {
    java.io.ByteArrayOutputStream tgz = new java.io.ByteArrayOutputStream();
    try (var gz = new java.util.zip.GZIPOutputStream(tgz);
        var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(gz)) {
      byte[] content = "from the tarball\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("docs/page.txt");
      e.setSize(content.length);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      if (x.getRequestURI().getPath().endsWith("/gone.tgz")) {
        x.sendResponseHeaders(404, -1);
        x.close();
        return;
      }
      byte[] body = x.getRequestURI().getPath().endsWith(".tgz") ? tgz.toByteArray()
          : "<html>not a tarball</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (x.getRequestURI().getPath().endsWith(".tgz")) {
        gets.incrementAndGet();
      }
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      BuildResult r = build("FROM scratch\nCOPY --from=site docs/page.txt /a\nCOPY --from=site docs/ /b/\n", "site",
          base + "/ctx.tgz");
      assertThat(f.lastLayer(r).get("b/page.txt").content()).isEqualTo("from the tarball\n");
      assertThat(gets.get()).isEqualTo(1);
      assertThatThrownBy(() -> build("FROM scratch\nCOPY --from=site x /x\n", "site",
          "http://user:secret@127.0.0.1:" + server.getAddress().getPort() + "/page.html"))
          .isInstanceOf(BuildException.class).hasMessageContaining("--build-context site=http://127.0.0.1:")
          .hasMessageContaining("not a tar archive").hasMessageNotContaining("secret");
      // A failed fetch is reported as the context's, not as an ADD's (the fetcher is shared with ADD).
      assertThatThrownBy(() -> build("FROM scratch\nCOPY --from=site x /x\n", "site", base + "/gone.tgz"))
          .isInstanceOf(BuildException.class)
          .hasMessage("--build-context site=" + base + "/gone.tgz: GET " + base + "/gone.tgz returned HTTP 404");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void directory_asFrom_isRefusedAtTheFromLine() {
    assertThatThrownBy(() -> build("# a\nFROM extra\n", "extra", extra.toString()))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: ")
        .hasMessageContaining("is a directory, which COPY --from, ADD --from and RUN --mount=type=bind,from= can read, but not FROM");
  }
}

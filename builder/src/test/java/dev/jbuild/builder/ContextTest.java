package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** .dockerignore, tar contexts, git sources, and the B-group context cases of security/CASES.md. */
class ContextTest {
  @TempDir Path tmp;
  private BuildFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void dockerignore_exceptionsAndSelfExclusion_asBuildKit() throws Exception {
    // B06: ba*, Dockerfile, !bay, .dockerignore -> only foo and bay are copied.
    f.file("foo", "f").file("bar", "b").file("baz", "z").file("bay", "y");
    f.file(".dockerignore", "# comment\nba*\nDockerfile\n!bay\n/.dockerignore\n");
    BuildResult r = f.build("FROM scratch\nCOPY . /c/\n");
    assertThat(f.lastLayer(r).keySet()).containsExactly("c/", "c/bay", "c/foo");
  }

  @Test
  void dockerignore_doubleStarAndDirectoryExceptions() throws Exception {
    f.file("a/x.log", "1").file("a/b/y.log", "2").file("a/keep.txt", "k").file("build/out/z", "z")
        .file("build/keep/k", "k");
    f.file(".dockerignore", "**/*.log\nbuild\n!build/keep\n");
    BuildResult r = f.build("FROM scratch\nCOPY a build /c/\n");
    assertThat(f.lastLayer(r).keySet()).containsExactly("c/", "c/b/", "c/keep/", "c/keep/k", "c/keep.txt");
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY a/x.log /c/\n")).hasMessageContaining("not found");
  }

  @Test
  void dockerignore_nextToTheDockerfile_winsOverTheContexts() throws Exception {
    f.file("a", "a").file("b", "b").file(".dockerignore", "a\n").file("sub/app.Dockerfile.dockerignore", "b\n");
    f.file("sub/app.Dockerfile", "FROM scratch\nCOPY . /c/\n");
    BuildResult r = new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(
        BuildOptions.builder(f.context).dockerfile(f.context.resolve("sub/app.Dockerfile")).build());
    assertThat(f.lastLayer(r)).containsKey("c/a").doesNotContainKey("c/b");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void dockerignore_loneExclamationMark_isAnError() throws Exception {
    // B07
    f.file(".dockerignore", "!\n");
    assertThatThrownBy(() -> f.build("FROM scratch\n")).isInstanceOf(BuildException.class)
        .hasMessageContaining("illegal exclusion pattern");
  }

  @Test
  void copy_outsideTheContext_isForbidden() {
    // B01
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY ../secret /\n")).isInstanceOf(BuildException.class)
        .hasMessageContaining("forbidden path outside the build context");
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY /../../etc/shadow /\n"))
        .hasMessageContaining("forbidden path outside the build context");
  }

  @Test
  void dockerfile_linkedToAHostFile_isNotFound() throws Exception {
    // B04
    Files.createSymbolicLink(f.context.resolve("Dockerfile"), Path.of("/etc/passwd"));
    assertThatThrownBy(() -> new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE)
        .build(BuildOptions.builder(f.context).build())).isInstanceOf(BuildException.class)
        .hasMessageContaining("Cannot locate specified Dockerfile");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void copy_symlinkLoop_isBoundedError() throws Exception {
    // B05
    Files.createSymbolicLink(f.context.resolve("self"), Path.of("self"));
    Files.createSymbolicLink(f.context.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(f.context.resolve("b"), Path.of("a"));
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY self /x\n")).hasMessageContaining("too many levels");
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY a/file /x\n")).hasMessageContaining("too many levels");
  }

  @Test
  void tarContext_isUnpackedSafely_andTheDockerfileComesFromIt() throws Exception {
    byte[] tar = TestImages.tar(List.of(TestImages.file("Dockerfile", "FROM scratch\nCOPY hello.txt /\n"),
        TestImages.file("hello.txt", "from the tar")));
    BuildResult r = new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(
        BuildOptions.builder(new ByteArrayInputStream(AddTest.compress(tar, java.util.zip.GZIPOutputStream::new)))
            .tag("t:1").build());
    assertThat(f.lastLayer(r).get("hello.txt").content()).isEqualTo("from the tar");
    assertThat(f.lastLayer(r).get("hello.txt").uid()).isZero(); // context files are 0:0 whatever the tar says
    try (var s = Files.list(f.store.root().resolve("tmp"))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("context-")).toList()).isEmpty();
    }
  }

  @Test
  void tarContext_plainDockerfileStream_buildsWithAnEmptyContext() throws Exception {
    BuildResult r = new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(
        BuildOptions.builder(new ByteArrayInputStream("FROM scratch\nCOPY <<EOF /x\nhi\nEOF\n"
            .getBytes(StandardCharsets.UTF_8))).build());
    assertThat(f.lastLayer(r).get("x").content()).isEqualTo("hi\n");
  }

  @Test
  void tarContext_dockerfileOutsideOrLinkedOut_isRefused_andTheHostIsUntouched() throws Exception {
    // B02 and B15: -f ../../Dockerfile; a Dockerfile linking to a host file, plus garbage that breaks the untar.
    Path target = tmp.resolve("host-target");
    Files.writeString(target, "unchanged");
    byte[] tar = TestImages.tar(List.of(TestImages.file("Dockerfile", "FROM scratch\n")));
    assertThatThrownBy(() -> new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(
        BuildOptions.builder(new ByteArrayInputStream(tar)).dockerfile(Path.of("../../Dockerfile")).build()))
        .hasMessageContaining("outside the build context");
    byte[] linked = TestImages.tar(List.of(TestImages.symlink("Dockerfile", target.toString())));
    assertThatThrownBy(() -> new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(
        BuildOptions.builder(new ByteArrayInputStream(linked)).build()))
        .hasMessageContaining("Cannot locate specified Dockerfile");
    byte[] broken = java.util.Arrays.copyOf(TestImages.tar(List.of(TestImages.symlink("Dockerfile",
        target.toString()), TestImages.file("Dockerfile", "overwrite"))), 1100);
    assertThatThrownBy(() -> new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(
        BuildOptions.builder(new ByteArrayInputStream(broken)).build())).isInstanceOf(BuildException.class);
    assertThat(Files.readString(target)).isEqualTo("unchanged");
  }
}

package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets a clear error that names the file, line or reference, a non-zero exit, and leaves the store
 * as it was: the same {@code jbuild images} output and the same index.json bytes.
 */
class BadInputIT {
  @TempDir Path tmp;
  private Path root;
  private Cli cli;
  private String imagesBefore;
  private byte[] indexBefore;

  @BeforeEach
  void storeWithOneImage() throws IOException {
    root = tmp.resolve("store");
    cli = new Cli(root);
    Path ctx = context("FROM scratch\nCOPY a.txt /\n");
    Cli.Result ok = cli.run("build", "-t", "keep:1", ctx.toString());
    assertThat(ok.exit()).as(ok.toString()).isZero();
    imagesBefore = cli.run("images").out();
    indexBefore = Files.readAllBytes(root.resolve("index.json"));
  }

  private Path context(String dockerfile) throws IOException {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    Files.writeString(ctx.resolve("a.txt"), "a\n");
    return ctx;
  }

  private void assertStoreUnchanged() throws IOException {
    assertThat(cli.run("images").out()).isEqualTo(imagesBefore);
    assertThat(Files.readAllBytes(root.resolve("index.json"))).isEqualTo(indexBefore);
    try (Stream<Path> tmpFiles = Files.list(root.resolve("tmp"))) {
      assertThat(tmpFiles.filter(p -> !p.getFileName().toString().endsWith(".lock"))).isEmpty();
    }
  }

  @Test
  void build_syntaxError_namesFileAndLine() throws IOException {
    Path ctx = context("FROM scratch\nCOPY a.txt /\nFROBNICATE everything\n");
    Cli.Result r = cli.run("build", "-t", "bad:1", ctx.toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("Dockerfile:3").containsIgnoringCase("unknown instruction");
    assertStoreUnchanged();
  }

  @Test
  void build_missingCopySource_namesThePath() throws IOException {
    Path ctx = context("FROM scratch\nCOPY a.txt /\nCOPY missing/file.txt /dest/\n");
    Cli.Result r = cli.run("build", "-t", "bad:1", ctx.toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("Dockerfile:3").contains("missing/file.txt").contains("not found");
    assertStoreUnchanged();
  }

  @Test
  void build_copySourceOutsideContext_isForbidden() throws IOException {
    Path ctx = context("FROM scratch\nCOPY ../../etc/passwd /\n");
    Cli.Result r = cli.run("build", "-t", "bad:1", ctx.toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("Dockerfile:2").contains("outside the build context");
    assertStoreUnchanged();
  }

  @Test
  void build_symlinkOutOfContext_isResolvedInsideIt() throws IOException {
    Path ctx = context("FROM scratch\nCOPY link/passwd /\n");
    Files.createSymbolicLink(ctx.resolve("link"), Path.of("/etc"));
    Cli.Result r = cli.run("build", "-t", "bad:1", ctx.toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("link/passwd").contains("not found");
    assertStoreUnchanged();
  }

  @Test
  void build_missingDockerfile_namesIt() {
    Cli.Result r = cli.run("build", "-t", "bad:1", tmp.resolve("nowhere").toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("nowhere");
  }

  @Test
  void push_registryDown_namesTheRegistry() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Cli.Result r = cli.run("push", "keep:1", "localhost:" + port + "/keep:1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("localhost:" + port);
    assertStoreUnchanged();
  }

  @Test
  void unknownImage_namesTheReference() throws IOException {
    for (String[] args : new String[][] {
        {"push", "nosuch:9", "localhost:1/x:1"}, {"inspect", "nosuch:9"}, {"tag", "nosuch:9", "other:1"}}) {
      Cli.Result r = cli.run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isNotZero();
      assertThat(r.err()).as(String.join(" ", args)).contains("nosuch:9");
    }
    assertStoreUnchanged();
  }

  @Test
  void invalidReference_namesIt() throws IOException {
    Cli.Result r = cli.run("tag", "keep:1", "Bad Name");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("\"Bad Name\"");
    assertStoreUnchanged();
  }
}

package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jbuild build} options in-process: parsing, outputs, ID and metadata files, stdin, progress modes. */
class BuildCommandTest {
  @TempDir Path tmp;
  Path root;
  Path ctx;
  Cli cli;

  @BeforeEach
  void busybox() throws Exception {
    root = tmp.resolve("store");
    try (Store store = Store.open(root)) {
      BaseImages.busybox(store, "busybox:1");
    }
    cli = new Cli(root);
    ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nCOPY hello.txt /srv/hello.txt\nENV A=1\n");
  }

  private Cli.Result ok(String... args) {
    Cli.Result r = cli.run(args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return r;
  }

  private Cli.Result withStdin(byte[] in, String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(all.toArray(String[]::new), new ByteArrayInputStream(in), new PrintWriter(out, true),
        new PrintWriter(err, true));
    return new Cli.Result(exit, out.toString(), err.toString());
  }

  private Manifest manifest(String digest) throws Exception {
    try (Store store = Store.open(root)) {
      return OciJson.readManifest(store.blobs().readAll(dev.jbuild.oci.Digest.parse(digest), 1 << 20));
    }
  }

  @Test
  void parse_everyNewOption_reachesTheCommand() {
    BuildCommand c = CommandLine.populateCommand(new BuildCommand(), "-o", "out", "--output", "type=oci,dest=i.tar",
        "--iidfile", "id", "--metadata-file", "m.json", "--push", "--jobs", "3", "--progress", "json", "-f", "-",
        "--platform", "linux/arm64", "-");
    assertThat(c.outputs).containsExactly("out", "type=oci,dest=i.tar");
    assertThat(c.iidFile).isEqualTo("id");
    assertThat(c.metadataFile).isEqualTo("m.json");
    assertThat(c.push).isTrue();
    assertThat(c.jobs).isEqualTo(3);
    assertThat(c.progress).isEqualTo(BuildCommand.ProgressMode.json);
    assertThat(c.dockerfile).isEqualTo("-");
    assertThat(c.context).isEqualTo("-");
    BuildCommand defaults = CommandLine.populateCommand(new BuildCommand(), ".");
    assertThat(defaults.progress).isEqualTo(BuildCommand.ProgressMode.auto);
    assertThat(defaults.jobs).isZero();
    assertThat(defaults.outputs).isEmpty();
  }

  @Test
  void printerFor_eachModeAndTerminal_picksTheDisplay() {
    StringWriter err = new StringWriter();
    PrintWriter w = new PrintWriter(err, true);
    Terminal tty = new Terminal(true, 100, 30);
    assertThat(BuildCommand.printerFor(BuildCommand.ProgressMode.auto, false, w, Terminal.NONE).getClass())
        .isEqualTo(ProgressPrinter.class);
    assertThat(BuildCommand.printerFor(BuildCommand.ProgressMode.json, false, w, tty)).isInstanceOf(JsonProgress.class);
    assertThat(BuildCommand.printerFor(BuildCommand.ProgressMode.plain, false, w, tty).getClass())
        .isEqualTo(ProgressPrinter.class);
    ProgressPrinter live = BuildCommand.printerFor(BuildCommand.ProgressMode.auto, false, w, tty);
    live.close();
    assertThat(live).isInstanceOf(TtyProgress.class);
    assertThat(err.toString()).isEmpty();
    ProgressPrinter fallback = BuildCommand.printerFor(BuildCommand.ProgressMode.tty, false, w, Terminal.NONE);
    assertThat(fallback.getClass()).isEqualTo(ProgressPrinter.class);
    assertThat(err.toString()).isEqualTo("WARNING: --progress=tty needs a terminal on stderr; showing plain progress\n");
  }

  @Test
  void build_buildContext_directoryAndImage_andFromADirectoryIsRefused() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("guide.md"), "# guide\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM base\nCOPY --from=docs guide.md /doc/\n");
    ok("build", "-q", "-t", "named:1", "--build-context", "docs=" + docs, "--build-context",
        "base=docker-image://busybox:1", ctx.toString());
    Cli.Result run = cli.run("build", "-q", "--build-context", "docs=" + docs,
        "-f", write("FromDir.Dockerfile", "# a directory is no image\nFROM docs\n"), ctx.toString());
    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("FromDir.Dockerfile:2").contains("the build context \"docs\" is a directory");
  }

  private String write(String name, String content) throws Exception {
    Path p = ctx.resolve(name);
    Files.writeString(p, content);
    return p.toString();
  }

  @Test
  void build_quiet_printsOnlyTheManifestDigest() {
    Cli.Result r = ok("build", "-q", "-t", "q:1", ctx.toString());
    assertThat(r.out()).matches("sha256:[0-9a-f]{64}\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void build_plain_stepLinesWithDoneAndCachedOnTheSecondRun() {
    Cli.Result first = ok("build", "--progress=plain", ctx.toString());
    assertThat(first.err()).contains("#2 [stage-0 2/3] COPY hello.txt /srv/hello.txt\n")
        .containsPattern("#2 DONE \\d+\\.\\ds\n");
    Cli.Result second = ok("build", "--progress=plain", ctx.toString());
    assertThat(second.err()).contains("#2 CACHED\n");
    assertThat(second.out()).isEqualTo(first.out());
  }

  @Test
  void build_iidfileAndMetadataFile_holdTheConfigDigestAndBuildxKeys() throws Exception {
    Path iid = tmp.resolve("iid");
    Path meta = tmp.resolve("meta.json");
    Cli.Result r = ok("build", "-q", "-t", "m:1", "-t", "m:2", "--iidfile", iid.toString(), "--metadata-file",
        meta.toString(), ctx.toString());
    String digest = r.line();
    String config = manifest(digest).config().digest().toString();

    assertThat(Files.readString(iid)).isEqualTo(config);
    JsonNode m = new ObjectMapper().readTree(meta.toFile());
    assertThat(m.get("containerimage.digest").asText()).isEqualTo(digest);
    assertThat(m.get("containerimage.config.digest").asText()).isEqualTo(config);
    assertThat(m.get("image.name").asText()).isEqualTo("m:1,m:2");
    assertThat(m.get("containerimage.descriptor").get("digest").asText()).isEqualTo(digest);
    assertThat(m.get("containerimage.descriptor").get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    try (Store store = Store.open(root)) {
      assertThat(m.get("containerimage.descriptor").get("size").asLong())
          .isEqualTo(store.blobs().size(dev.jbuild.oci.Digest.parse(digest)));
    }
  }

  @Test
  void output_localShortForm_writesTheFlattenedFilesystem() throws Exception {
    Path out = tmp.resolve("out/rootfs");
    ok("build", "-q", "-o", out.toString(), ctx.toString());
    assertThat(out.resolve("srv/hello.txt")).hasContent("hello");
    assertThat(Files.readAllBytes(out.resolve("bin/busybox"))).isEqualTo(Files.readAllBytes(BaseImages.BUSYBOX));
    assertThat(Files.readSymbolicLink(out.resolve("bin/sh")).toString()).isEqualTo("busybox");
    // Nothing left beside it: the directory was filled under a temporary name and renamed.
    try (var siblings = Files.list(out.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("rootfs");
    }
  }

  @Test
  void output_localIntoAnExistingDirWithAnEscapingSymlink_staysInside() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("existing"));
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.createSymbolicLink(out.resolve("srv"), victim);
    ok("build", "-q", "--output", "type=local,dest=" + out, ctx.toString());
    try (var v = Files.list(victim)) {
      assertThat(v).isEmpty();
    }
    assertThat(out.resolve("bin/busybox")).exists();
  }

  @Test
  void output_tarFile_holdsTheFlattenedFiles() throws Exception {
    Path tar = tmp.resolve("fs.tar");
    ok("build", "-q", "-o", "type=tar,dest=" + tar, ctx.toString());
    assertThat(TarListing.names(tar)).contains("srv/hello.txt", "bin/busybox", "etc/passwd")
        .doesNotContain(".dockerenv");
    assertThat(TarListing.content(tar, "srv/hello.txt")).isEqualTo("hello\n");
  }

  @Test
  void output_ociDirectoryAndArchive_layoutWithTheBuiltManifest() throws Exception {
    Path dir = tmp.resolve("layout/");
    Path file = tmp.resolve("image.tar");
    String digest = ok("build", "-q", "-t", "o:1", "-o", "type=oci,dest=" + dir + "/", "-o",
        "type=oci,dest=" + file, ctx.toString()).line();

    assertThat(dir.resolve("oci-layout")).content().contains("\"imageLayoutVersion\":\"1.0.0\"");
    JsonNode index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
    assertThat(index.get("manifests").get(0).get("digest").asText()).isEqualTo(digest);
    Manifest m = manifest(digest);
    assertThat(dir.resolve("blobs/sha256/" + m.config().digest().hex())).exists();
    for (Descriptor layer : m.layers()) {
      assertThat(dir.resolve("blobs/sha256/" + layer.digest().hex())).hasSize(layer.size());
    }
    assertThat(TarListing.names(file)).contains("oci-layout", "index.json", "blobs/sha256/" + digest.substring(7))
        .doesNotContain("manifest.json");
  }

  @Test
  void output_dockerArchive_manifestJsonNamesTheTagsConfigAndLayers() throws Exception {
    Path file = tmp.resolve("docker.tar");
    String digest = ok("build", "-q", "-t", "d:1", "-o", "type=docker,dest=" + file, ctx.toString()).line();
    JsonNode entries = new ObjectMapper().readTree(TarListing.content(file, "manifest.json"));
    Manifest m = manifest(digest);
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).get("RepoTags").toString()).isEqualTo("[\"d:1\"]");
    assertThat(entries.get(0).get("Config").asText()).isEqualTo("blobs/sha256/" + m.config().digest().hex());
    assertThat(entries.get(0).get("Layers")).hasSize(m.layers().size());
    for (JsonNode layer : entries.get(0).get("Layers")) {
      assertThat(TarListing.names(file)).contains(layer.asText());
    }
  }

  @Test
  void output_ociIntoANonEmptyDirectory_isRefusedAndTheStoreKeepsTheImage() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(dir.resolve("keep"), "x");
    Cli.Result r = cli.run("build", "-q", "-t", "kept:1", "-o", "type=oci,dest=" + dir, ctx.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("jbuild: error: cannot write an OCI layout into " + dir + ": the directory is not empty");
    assertThat(dir.resolve("keep")).hasContent("x");
    assertThat(ok("images").out()).contains("kept");
  }

  @Test
  void dockerfileOnStdin_dashF_buildsIt() throws Exception {
    byte[] dockerfile = "FROM busybox:1\nCOPY hello.txt /from-stdin.txt\n".getBytes(StandardCharsets.UTF_8);
    Path out = tmp.resolve("fs");
    Cli.Result r = withStdin(dockerfile, "build", "-q", "-f", "-", "-o", out.toString(), ctx.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(out.resolve("from-stdin.txt")).hasContent("hello");
  }

  @Test
  void contextOnStdin_tar_isExtractedAndUsed() throws Exception {
    byte[] tar = tar(List.of("Dockerfile", "FROM busybox:1\nCOPY data/x.txt /x.txt\n"), List.of("data/x.txt", "x"));
    Path out = tmp.resolve("fs");
    Cli.Result r = withStdin(tar, "build", "-q", "-o", out.toString(), "-");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(out.resolve("x.txt")).hasContent("x");
  }

  @Test
  void contextOnStdin_gzipTarWithDashFInsideIt_readsThatDockerfile() throws Exception {
    byte[] tar = tar(List.of("sub/Build.df", "FROM busybox:1\nENV WHERE=inside\n"));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(tar);
    }
    Cli.Result r = withStdin(gz.toByteArray(), "build", "-q", "-t", "gz:1", "-f", "sub/Build.df", "-");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(ok("inspect", "gz:1").out()).contains("WHERE=inside");
  }

  @Test
  void contextOnStdin_loneDockerfile_buildsWithAnEmptyContext() {
    Cli.Result r = withStdin("FROM busybox:1\nENV ALONE=yes\n".getBytes(StandardCharsets.UTF_8),
        "build", "-q", "-t", "alone:1", "-");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(ok("inspect", "alone:1").out()).contains("ALONE=yes");
  }

  @Test
  void contextOnStdin_escapingEntry_isRefusedAndNothingIsWrittenOutside() throws Exception {
    byte[] tar = tar(List.of("Dockerfile", "FROM busybox:1\n"), List.of("../../../../escaped-by-jbuild-test", "x"));
    Cli.Result r = withStdin(tar, "build", "-q", "-t", "evil:1", "-");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("jbuild: error:").contains("escaped-by-jbuild-test");
    assertThat(Path.of(System.getProperty("java.io.tmpdir")).getParent().resolve("escaped-by-jbuild-test"))
        .doesNotExist();
    assertThat(ok("images").out()).doesNotContain("evil");
  }

  @Test
  void stdinTwice_isAUsageError() {
    Cli.Result r = withStdin(new byte[0], "build", "-f", "-", "-");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("jbuild: error: cannot read both the context and the Dockerfile (-f -) from stdin\n");
  }

  @Test
  void push_withoutATag_isRefusedBeforeBuilding() {
    Cli.Result r = cli.run("build", "--push", ctx.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("jbuild: error: --push needs at least one -t NAME:TAG to push to\n");
  }

  @Test
  void progressJson_wholeBuild_everyStderrLineIsJsonEndingWithTheResult() throws Exception {
    Cli.Result r = ok("build", "--progress=json", "-t", "j:1", ctx.toString());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.err().split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertThat(lines).extracting(n -> n.get("type").asText())
        .containsExactly("step", "step-done", "step", "step-done", "step", "step-done", "log", "result");
    JsonNode result = lines.get(lines.size() - 1);
    assertThat(result.get("digest").asText()).isEqualTo(r.line());
    assertThat(result.get("tags").toString()).isEqualTo("[\"j:1\"]");
    assertThat(lines.get(1).get("instruction").asText()).isEqualTo("FROM busybox:1");
  }

  @Test
  void progressJson_failure_isAnErrorObjectAndNothingElseOnStderr() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nCOPY missing.txt /\n");
    Cli.Result r = cli.run("build", "--progress=json", ctx.toString());
    assertThat(r.exit()).isEqualTo(1);
    String[] lines = r.err().split("\n");
    JsonNode last = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(last.get("type").asText()).isEqualTo("error");
    assertThat(last.get("index").asInt()).isEqualTo(2);
    assertThat(last.get("message").asText()).contains("Dockerfile:2", "missing.txt");
    for (String line : lines) {
      assertThat(new ObjectMapper().readTree(line).isObject()).isTrue();
    }
  }

  @Test
  void platform_foreignWithRunAndNoEmulation_clearErrorNamingTheLine() throws Exception {
    String host = dev.jbuild.oci.Platform.host().toString();
    String foreign = host.equals("linux/arm64") ? "linux/amd64" : "linux/arm64";
    String arch = foreign.substring(6);
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64"))
        || Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-x86_64")), "this host has emulation registered");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nRUN true\n");
    Cli.Result r = cli.run("build", "--platform", foreign, ctx.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("jbuild: error: Dockerfile:2: jbuild cannot build for " + foreign + " on this " + host
        + " host: no emulation (binfmt_misc) registered for " + arch);
  }

  @Test
  void platform_foreignWithoutRun_builds() throws Exception {
    String foreign = dev.jbuild.oci.Platform.host().toString().equals("linux/arm64") ? "linux/amd64" : "linux/arm64";
    ok("build", "-q", "--platform", foreign, ctx.toString());
  }

  /** A tar of name/content pairs. */
  @SafeVarargs
  private static byte[] tar(List<String>... files) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (List<String> f : files) {
        byte[] content = f.get(1).getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.get(0), true);
        e.setSize(content.length);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  static InputStream none() {
    return InputStream.nullInputStream();
  }
}

package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.registry.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild build} with RUN in real containers, and its outputs read by peers that are not jbuild: skopeo for
 * oci-archive and docker-archive, a real docker-registry for --push, and a pseudo-terminal for the live view.
 */
class BuildRunIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  private static final String FAILING = "FROM busybox:1\nRUN echo step two\n"
      + "RUN for i in 1 2 3; do echo out $i; done; echo to stderr >&2; exit 3\n";

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
  }

  private Cli.Result ok(String... args) {
    Cli.Result r = cli.run(args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void failingRun_plain_outputLinesErrorLineAndExitOne() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), FAILING);
    Cli.Result r = cli.run("build", "--progress=plain", "-t", "never:1", ctx.toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    // stdout and stderr reach jbuild through two pipes, so only the order within each is certain.
    assertThat(r.err()).contains("#2 step two\n#2 DONE ", "#3 out 1\n", "#3 out 2\n", "#3 out 3\n", "#3 to stderr\n",
        "#3 ERROR: Dockerfile:3: process \"/bin/sh -c for i in 1 2 3; do echo out $i; done; echo to stderr >&2; "
            + "exit 3\" did not complete successfully: exit code: 3\n",
        "jbuild: error: Dockerfile:3: process", "exit code: 3\nlast lines of its output:\n", "  out 1\n",
        "  out 3\n", "  to stderr\n");
    assertThat(ok("images").out()).doesNotContain("never");
  }

  @Test
  void failingRun_json_errorObjectCarriesCommandExitCodeAndLastLines() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), FAILING);
    Cli.Result r = cli.run("build", "--progress=json", ctx.toString());

    assertThat(r.exit()).isEqualTo(1);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.err().split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertThat(lines).filteredOn(n -> n.get("type").asText().equals("output"))
        .extracting(n -> n.get("line").asText())
        .containsExactlyInAnyOrder("step two", "out 1", "out 2", "out 3", "to stderr");
    JsonNode error = lines.get(lines.size() - 1);
    assertThat(error.get("type").asText()).isEqualTo("error");
    assertThat(error.get("index").asInt()).isEqualTo(3);
    assertThat(error.get("message").asText()).contains("exit code: 3", "last lines of its output:\n", "  out 1");
  }

  @Test
  void run_secondBuild_isCachedAndOutputsReadBySkopeo() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nRUN echo built > /built.txt\n");
    ok("build", "-t", "img:1", ctx.toString());
    Path oci = tmp.resolve("img-oci.tar");
    Path docker = tmp.resolve("img-docker.tar");
    Cli.Result again = ok("build", "--progress=plain", "-t", "img:1", "-o", "type=oci,dest=" + oci,
        "-o", "type=docker,dest=" + docker, ctx.toString());
    assertThat(again.err()).contains("#2 CACHED\n").doesNotContain("#2 DONE");
    String digest = again.line();

    Processes.Output ociInspect = Processes.run(List.of("skopeo", "inspect", "--raw", "oci-archive:" + oci),
        Map.of(), null);
    assertThat(ociInspect.exit()).as(ociInspect.toString()).isZero();
    assertThat(dev.jbuild.oci.Digest.sha256Of(ociInspect.out().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString()).isEqualTo(digest);
    // Selecting the image by the name in manifest.json's RepoTags shows skopeo reads the tags too.
    Processes.Output dockerInspect = Processes.run(List.of("skopeo", "inspect", "docker-archive:" + docker + ":img:1"),
        Map.of(), null);
    assertThat(dockerInspect.exit()).as(dockerInspect.toString()).isZero();
    JsonNode inspected = new ObjectMapper().readTree(dockerInspect.out());
    assertThat(inspected.get("Layers")).hasSize(2);
    assertThat(inspected.get("Architecture").asText()).isEqualTo(dev.jbuild.oci.Platform.host().architecture());
    Path fs = tmp.resolve("fs");
    ok("build", "-q", "-o", fs.toString(), ctx.toString());
    assertThat(fs.resolve("built.txt")).hasContent("built");
  }

  @Test
  void push_everyTag_skopeoSeesTheDigestInTheMetadataFile() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nRUN echo pushed > /p.txt\n");
    String a = registry.host() + "/built/app:1";
    String b = registry.host() + "/built/app:latest";
    Path meta = tmp.resolve("meta.json");
    ok("build", "--push", "-t", a, "-t", b, "--metadata-file", meta.toString(), ctx.toString());

    JsonNode m = new ObjectMapper().readTree(meta.toFile());
    for (String ref : List.of(a, b)) {
      Processes.Output inspect = Processes.run(List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + ref),
          Map.of(), null);
      assertThat(inspect.exit()).as(inspect.toString()).isZero();
      assertThat(new ObjectMapper().readTree(inspect.out()).get("Digest").asText())
          .isEqualTo(m.get("containerimage.digest").asText());
    }
  }

  @Test
  void progressAuto_inAPseudoTerminal_drawsTheLiveViewAndEndsWithTheSummary() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nRUN echo in a tty\n");
    String launcher = Processes.repoRoot().resolve("jbuild").toString();
    String command = launcher + " --root " + root + " build -t tty:1 " + ctx;
    Processes.Output out = Processes.run(List.of("script", "-qefc", command, "/dev/null"),
        Map.of("TERM", "xterm", "COLUMNS", "100"), tmp);
    assertThat(out.exit()).as(out.toString()).isZero();
    String screen = String.join("\n", new AnsiScreen().feed(out.out().replace("\r\n", "\n")).lines());
    assertThat(out.out()).contains("\033[");
    assertThat(screen).contains(" => [stage-0 2/2] RUN echo in a tty", "[+] Building ", "(2/2) FINISHED")
        .containsPattern("\nsha256:[0-9a-f]{64}$");
  }
}

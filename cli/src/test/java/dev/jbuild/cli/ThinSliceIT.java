package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin slice end to end: Dockerfile → parser → layer writer → store → registry → an empty store, checked
 * by peers that are not jbuild (a real docker-registry, skopeo) and by the image validator.
 */
class ThinSliceIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  private static final Path HELLO = Processes.repoRoot().resolve("samples/hello");

  @TempDir Path tmp;

  @Test
  void buildPushPull_helloSample_sameDigestEverywhereAndValid() throws Exception {
    Path root = tmp.resolve("store");
    Cli cli = new Cli(root);

    Cli.Result build = cli.run("build", "-t", "hello:1", HELLO.toString());
    assertThat(build.exit()).as(build.toString()).isZero();
    String localDigest = build.line();
    assertThat(localDigest).matches("sha256:[0-9a-f]{64}");
    assertThat(build.err()).contains("WORKDIR $APP_HOME").contains("naming to hello:1");

    Cli.Result images = cli.run("images", "--digests");
    assertThat(images.out()).containsPattern("hello\\s+1\\s+" + localDigest);

    // skopeo reads the store as the OCI layout it is.
    Processes.Output local = Processes.run(List.of("skopeo", "inspect", "--raw", "oci:" + root + ":hello:1"), Map.of(), null);
    assertThat(local.exit()).as(local.toString()).isZero();
    assertThat(dev.jbuild.oci.Digest.sha256Of(local.out().getBytes(StandardCharsets.UTF_8)).toString())
        .isEqualTo(localDigest);

    // The image holds what the Dockerfile says.
    JsonNode inspect = OciJson.mapper().readTree(cli.run("inspect", "hello:1").out());
    JsonNode config = inspect.get("config").get("config");
    assertThat(config.get("Env").toString()).contains("GREETING=Hello from jbuild", "APP_HOME=/app");
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/app");
    assertThat(config.get("Entrypoint").toString()).isEqualTo("[\"/bin/cat\"]");
    assertThat(config.get("Cmd").toString()).isEqualTo("[\"/app/hello.txt\"]");
    assertThat(config.get("Labels").get("org.opencontainers.image.version").asText()).isEqualTo("1.0");
    try (Store store = Store.open(root)) {
      ImageValidator.validate(store.blobs(), store.images().resolve("hello:1").orElseThrow());
    }

    // Push to the real registry; skopeo sees the digest jbuild printed.
    String remote = registry.host() + "/hello:1";
    Cli.Result push = cli.run("push", "hello:1", remote);
    assertThat(push.exit()).as(push.toString()).isZero();
    String pushedDigest = push.line();
    Processes.Output skopeo = Processes.run(
        List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + remote), Map.of(), null);
    assertThat(skopeo.exit()).as(skopeo.toString()).isZero();
    assertThat(OciJson.mapper().readTree(skopeo.out()).get("Digest").asText()).isEqualTo(pushedDigest);

    // Pull into an empty store: same digest, and the validator passes on every field.
    Path fresh = tmp.resolve("fresh");
    Cli.Result pull = new Cli(fresh).run("pull", remote);
    assertThat(pull.exit()).as(pull.toString()).isZero();
    assertThat(pull.line()).isEqualTo(pushedDigest);
    try (Store store = Store.open(fresh)) {
      Descriptor pulled = store.images().resolve(remote).orElseThrow();
      assertThat(pulled.digest().toString()).isEqualTo(pushedDigest);
      ImageValidator.validate(store.blobs(), pulled);
    }

    // A second push finds every blob in place and gives the same digest.
    Cli.Result again = cli.run("push", "hello:1", remote);
    assertThat(again.line()).isEqualTo(pushedDigest);
  }
}

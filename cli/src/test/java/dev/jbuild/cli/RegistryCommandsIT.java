package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.registry.RegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The registry commands as a user runs them, against real docker-registries. */
class RegistryCommandsIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();
  @RegisterExtension static RegistryExtension secured = RegistryExtension.withBasicAuth("lee", "login-pass");

  private static final String LAUNCHER = Processes.repoRoot().resolve("jbuild").toString();

  @TempDir Path temp;

  private Cli cli(String name) {
    return new Cli(temp.resolve(name));
  }

  private void busybox(String root, String name) throws Exception {
    try (Store store = Store.open(temp.resolve(root))) {
      BaseImages.busybox(store, name);
    }
  }

  @Test
  void pushTagsInspectCopyPull_roundTripWithTheSameDigests() throws Exception {
    busybox("a", "busybox:1");
    String repo = registry.host() + "/cmd/busybox";
    Cli.Result push = cli("a").run("push", "-q", "busybox:1", repo + ":1");
    assertThat(push.exit()).as(push.toString()).isZero();
    String digest = push.line();
    assertThat(digest).startsWith("sha256:");

    Cli.Result tags = cli("a").run("tags", repo);
    assertThat(tags.out().lines().toList()).as(tags.toString()).containsExactly("1");

    Cli.Result inspect = cli("a").run("manifest", "inspect", repo + ":1");
    assertThat(inspect.exit()).as(inspect.toString()).isZero();
    assertThat(inspect.out()).contains("\"mediaType\" : \"" + MediaType.OCI_MANIFEST + "\"")
        .endsWith("Digest: " + digest + "\n");

    Cli.Result copy = cli("a").run("copy", "-q", repo + ":1", registry.host() + "/cmd/copied:2");
    assertThat(copy.line()).as(copy.toString()).isEqualTo(digest);

    Cli.Result pull = cli("b").run("pull", registry.host() + "/cmd/copied:2");
    assertThat(pull.exit()).as(pull.toString()).isZero();
    assertThat(pull.line()).isEqualTo(digest);
    assertThat(pull.err()).contains("pull ").contains("pulled " + registry.host() + "/cmd/copied:2");
    Cli.Result images = cli("b").run("images");
    assertThat(images.out()).contains(registry.host() + "/cmd/copied");
    try (Store b = Store.open(temp.resolve("b"))) {
      assertThat(dev.jbuild.store.layers.LayerTrees.of(b).list()).as("pull unpacks, as docker pull does").isNotEmpty();
    }

    Cli.Result bare = cli("c").run("pull", "-q", "--no-unpack", registry.host() + "/cmd/copied:2");
    assertThat(bare.line()).as(bare.toString()).isEqualTo(digest);
    try (Store c = Store.open(temp.resolve("c"))) {
      assertThat(dev.jbuild.store.layers.LayerTrees.of(c).list()).isEmpty();
    }
  }

  @Test
  void pushAllTagsWithZstd_pushesEveryLocalTagWithZstdLayers() throws Exception {
    Path scratch = Files.createDirectories(temp.resolve("scratch"));
    Files.writeString(scratch.resolve("Dockerfile"), "FROM scratch\nCOPY hello /hello\n");
    Files.writeString(scratch.resolve("hello"), "hello zstd\n");
    String repo = registry.host() + "/cmd/zstd";
    Cli.Result build = cli("z").run("build", "-q", "-t", repo + ":a", scratch.toString());
    assertThat(build.exit()).as(build.toString()).isZero();
    assertThat(cli("z").run("tag", repo + ":a", repo + ":b").exit()).isZero();

    Cli.Result push = cli("z").run("push", "--all-tags", "--compression", "zstd", repo);
    assertThat(push.exit()).as(push.toString()).isZero();
    assertThat(push.out().lines().map(l -> l.split(" ")[0]).toList()).containsExactlyInAnyOrder("a", "b");

    Cli.Result inspect = cli("z").run("manifest", "inspect", "--raw", repo + ":b");
    Manifest m = OciJson.readManifest(inspect.out().getBytes(StandardCharsets.UTF_8));
    assertThat(m.layers()).isNotEmpty().allMatch(l -> l.mediaType().equals(MediaType.OCI_LAYER_ZSTD));

    Cli.Result pull = cli("z2").run("pull", "-q", repo + ":b");
    assertThat(pull.exit()).as(pull.toString()).isZero();
  }

  @Test
  void loginPullLogout_withTheLauncher_writesDockersFileAndUsesIt() throws Exception {
    busybox("src", "busybox:1");
    Path dockerConfig = Files.createDirectories(temp.resolve("docker"));
    Files.writeString(dockerConfig.resolve("config.json"), "{\"detachKeys\":\"ctrl-x\"}");
    Map<String, String> env = Map.of("DOCKER_CONFIG", dockerConfig.toString(), "JBUILD_ROOT", temp.resolve("l").toString());
    String host = secured.host();

    Processes.Output wrong = Processes.run(List.of("sh", "-c",
        "printf 'nope\\n' | " + LAUNCHER + " login -u lee --password-stdin " + host), env, temp);
    assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(1);
    assertThat(wrong.err()).contains("login to " + host + " failed").doesNotContain("nope");
    assertThat(Files.readString(dockerConfig.resolve("config.json"))).isEqualTo("{\"detachKeys\":\"ctrl-x\"}");

    Processes.Output login = Processes.run(List.of("sh", "-c",
        "printf 'login-pass\\n' | " + LAUNCHER + " login -u lee --password-stdin " + host), env, temp);
    assertThat(login.exit()).as(login.toString()).isZero();
    assertThat(login.out()).contains("Login Succeeded");
    Path file = dockerConfig.resolve("config.json");
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.path("detachKeys").asText()).isEqualTo("ctrl-x");
    assertThat(json.path("auths").path(host).path("auth").asText())
        .isEqualTo(Base64.getEncoder().encodeToString("lee:login-pass".getBytes(StandardCharsets.UTF_8)));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

    Processes.Output push = Processes.run(List.of(LAUNCHER, "--root", temp.resolve("src").toString(), "push", "-q",
        "busybox:1", host + "/private/busybox:1"), env, temp);
    assertThat(push.exit()).as(push.toString()).isZero();
    Processes.Output pull = Processes.run(List.of(LAUNCHER, "pull", "-q", host + "/private/busybox:1"), env, temp);
    assertThat(pull.exit()).as(pull.toString()).isZero();
    assertThat(pull.out().strip()).isEqualTo(push.out().strip());

    Processes.Output logout = Processes.run(List.of(LAUNCHER, "logout", host), env, temp);
    assertThat(logout.out()).contains("Removing login credentials for " + host);
    assertThat(new ObjectMapper().readTree(file.toFile()).path("auths").has(host)).isFalse();
    Processes.Output denied = Processes.run(List.of(LAUNCHER, "pull", "-q", host + "/private/busybox:1"), env, temp);
    assertThat(denied.exit()).isEqualTo(1);
    assertThat(denied.err()).contains("authentication required");
  }

  @Test
  void pull_platformTheImageIsNotFor_failsNamingItsPlatformAndTagsNothing() throws Exception {
    busybox("p", "busybox:1");
    String repo = registry.host() + "/cmd/plat";
    assertThat(cli("p").run("push", "-q", "busybox:1", repo + ":1").exit()).isZero();
    Cli.Result pull = cli("q").run("pull", "--platform", "linux/s390x", repo + ":1");
    // A single-platform image has no index to choose from: its config names the one platform it is for.
    assertThat(pull.exit()).as(pull.toString()).isEqualTo(1);
    assertThat(pull.err()).contains("is an image for " + dev.jbuild.oci.Platform.host() + " only, not for linux/s390x");
    try (Store store = Store.open(temp.resolve("q"))) {
      assertThat(store.images().list()).isEmpty();
    }
    Cli.Result bad = cli("q").run("pull", "--platform", "linux/amd64", "--all-platforms", repo + ":1");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("--platform and --all-platforms exclude each other");
  }
}

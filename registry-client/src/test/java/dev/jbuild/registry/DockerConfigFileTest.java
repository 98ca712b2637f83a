package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigFileTest {
  @TempDir Path dir;

  private JsonNode read(Path file) throws Exception {
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void store_existingConfig_addsAuthsEntryKeepsOtherKeysAndIsPrivate() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"psFormat\":\"table\",\"auths\":{\"other:1\":{\"auth\":\"eDp5\"}},\"proxies\":{}}");
    new DockerConfigFile(file).store("localhost:5000", new Credential("me", "pa:ss"));

    JsonNode json = read(file);
    assertThat(json.path("psFormat").asText()).isEqualTo("table");
    assertThat(json.path("proxies").isObject()).isTrue();
    assertThat(json.path("auths").path("other:1").path("auth").asText()).isEqualTo("eDp5");
    assertThat(json.path("auths").path("localhost:5000").path("auth").asText())
        .isEqualTo(Base64.getEncoder().encodeToString("me:pa:ss".getBytes(StandardCharsets.UTF_8)));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.list(dir)).containsExactly(file);
    // And the same file reads back through the credential source docker's format is for.
    assertThat(CredentialSource.dockerConfig(file).credentialFor("localhost:5000"))
        .contains(new Credential("me", "pa:ss"));
  }

  @Test
  void store_dockerHub_usesDockersLegacyKeyAndIsFoundForDockerIo() throws Exception {
    Path file = dir.resolve("new/config.json");
    new DockerConfigFile(file).store("docker.io", new Credential("hubber", "tok"));
    assertThat(read(file).path("auths").has("https://index.docker.io/v1/")).isTrue();
    assertThat(CredentialSource.dockerConfig(file).credentialFor("docker.io")).contains(new Credential("hubber", "tok"));
  }

  @Test
  void erase_loggedInAndNot_removesOnlyThatEntry() throws Exception {
    Path file = dir.resolve("config.json");
    DockerConfigFile config = new DockerConfigFile(file);
    config.store("a:1", new Credential("u", "p"));
    config.store("b:2", new Credential("v", "q"));
    assertThat(config.erase("a:1")).isTrue();
    assertThat(config.erase("a:1")).isFalse();
    assertThat(read(file).path("auths").has("a:1")).isFalse();
    assertThat(read(file).path("auths").has("b:2")).isTrue();
  }

  @Test
  void storeAndErase_credsStoreConfigured_goThroughTheHelperProtocol() throws Exception {
    Path log = dir.resolve("helper.log");
    Path helper = dir.resolve("docker-credential-fake");
    Files.writeString(helper, "#!/bin/sh\necho \"$1\" >> " + log + "\ncat >> " + log + "\necho >> " + log + "\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"credsStore\":\"fake\",\"auths\":{\"reg:5000\":{\"auth\":\"c3RhbGU6b2xk\"}}}");
    DockerConfigFile config = new DockerConfigFile(file, dir);

    assertThat(config.store("reg:5000", new Credential("me", "secret"))).isEqualTo("docker-credential-fake");
    assertThat(config.erase("reg:5000")).isTrue();

    String calls = Files.readString(log);
    assertThat(calls).contains("store\n{\"ServerURL\":\"reg:5000\",\"Username\":\"me\",\"Secret\":\"secret\"}");
    assertThat(calls).contains("erase\nreg:5000");
    assertThat(read(file).path("auths").has("reg:5000")).isFalse();
    assertThat(Files.readString(file)).doesNotContain("secret");
  }

  @Test
  void store_helperMissing_failsNamingTheHelperAndWritesNothing() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"credHelpers\":{\"reg:5000\":\"absent\"}}");
    assertThatThrownBy(() -> new DockerConfigFile(file, dir).store("reg:5000", new Credential("me", "secret")))
        .hasMessageContaining("docker-credential-absent")
        .hasMessageNotContaining("secret\"");
    assertThat(Files.readString(file)).isEqualTo("{\"credHelpers\":{\"reg:5000\":\"absent\"}}");
  }

  @Test
  void store_corruptFile_isRefusedWithoutQuotingIt() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"auths\": {\"x\": {\"auth\": \"c2VjcmV0\"} ");
    assertThatThrownBy(() -> new DockerConfigFile(file).store("reg", new Credential("me", "pw")))
        .hasMessageContaining("is not valid JSON")
        .hasMessageNotContaining("c2VjcmV0");
    assertThat(Optional.of(Files.readString(file))).contains("{\"auths\": {\"x\": {\"auth\": \"c2VjcmV0\"} ");
  }
}

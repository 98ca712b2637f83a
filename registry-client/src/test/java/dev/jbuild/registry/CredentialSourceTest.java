package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialSourceTest {
  @TempDir Path dir;

  @Test
  void dockerConfig_authsEntry_isFoundForThatRegistryOnly() throws Exception {
    String auth = Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"auths\":{\"registry.example.com\":{\"auth\":\"" + auth + "\"}}}");
    CredentialSource source = CredentialSource.dockerConfig(config);
    assertThat(source.credentialFor("registry.example.com")).contains(new Credential("alice", "s3cret"));
    assertThat(source.credentialFor("other.example.com")).isEmpty();
  }

  @Test
  void dockerConfig_dockerHubLegacyKey_isFoundForDockerIo() throws Exception {
    String auth = Base64.getEncoder().encodeToString("hub:pw".getBytes(StandardCharsets.UTF_8));
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}");
    assertThat(CredentialSource.dockerConfig(config).credentialFor("docker.io")).contains(new Credential("hub", "pw"));
  }

  @Test
  void dockerConfig_missingFile_meansNoCredentials() throws Exception {
    assertThat(CredentialSource.dockerConfig(dir.resolve("absent.json")).credentialFor("x.example")).isEmpty();
  }

  @Test
  void of_andOrElse_matchExactRegistryNames() throws Exception {
    CredentialSource source =
        CredentialSource.of("a.example", "u1", "p1").orElse(CredentialSource.of("b.example", "u2", "p2"));
    assertThat(source.credentialFor("a.example")).contains(new Credential("u1", "p1"));
    assertThat(source.credentialFor("b.example")).contains(new Credential("u2", "p2"));
    assertThat(source.credentialFor("c.example")).isEmpty();
  }

  @Test
  void dockerConfig_credentialHelperMissing_failsInsteadOfGoingAnonymous() throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"credHelpers\":{\"registry.example.com\":\"jbuild-test-no-such-helper\"}}");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CredentialSource.dockerConfig(config).credentialFor("registry.example.com"))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("registry.example.com").hasMessageContaining("jbuild-test-no-such-helper");
  }
}

package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  /**
   * A credsStore helper that has no entry for a registry ("credentials not found in native keychain", as
   * docker-credential-desktop, -pass and -secretservice answer) means anonymous access, as in docker; a helper
   * that fails otherwise still stops the operation (C06). The two helpers are in src/test/helpers, which the
   * module's test configuration puts on PATH.
   */
  @Test
  void credsStore_withNoEntryForTheRegistry_meansNoCredentials_butAFailingHelperIsAnError() throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"credsStore\":\"jbuild-test-no-entry\"}");
    assertThat(CredentialSource.dockerConfig(config).credentialFor("ghcr.io")).isEmpty();
    Files.writeString(config, "{\"credsStore\":\"jbuild-test-failing\"}");
    assertThatThrownBy(() -> CredentialSource.dockerConfig(config).credentialFor("ghcr.io"))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("ghcr.io")
        .hasMessageContaining("cannot reach the keyring");
  }
}

package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Digest;
import dev.jbuild.testing.registry.RegistryExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real docker-registry behind htpasswd Basic auth. */
class BasicAuthRegistryIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.withBasicAuth("alice", "correct-horse");

  private RegistryClient client(CredentialSource credentials, List<RegistryEvent> events) {
    RegistryClientSettings settings =
        RegistryClientSettings.defaults().withCredentials(credentials).withEvents(events::add);
    return RegistryClient.create(settings, registry.host(), "private/app");
  }

  @Test
  void pushAndPull_rightPassword_works() throws Exception {
    try (RegistryClient client =
        client(CredentialSource.of(registry.host(), "alice", "correct-horse"), new ArrayList<>())) {
      Digest digest = RegistryClientIT.pushSmallImage(client, "v1");
      assertThat(client.pullManifest("v1").digest()).isEqualTo(digest);
      assertThat(client.listTags()).containsExactly("v1");
    }
  }

  @Test
  void pullManifest_wrongPassword_throwsAuthenticationErrorWithoutTheSecret() throws Exception {
    List<RegistryEvent> events = new ArrayList<>();
    try (RegistryClient client = client(CredentialSource.of(registry.host(), "alice", "wrong-secret"), events)) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryAuthenticationException.class)
          .hasMessageContaining("registry " + registry.host() + " returned 401")
          .hasMessageContaining("private/app")
          .hasMessageContaining("credentials for user alice were rejected")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-secret"))
          .satisfies(e -> assertThat(((RegistryException) e).statusCode()).isEqualTo(401));
    }
    assertThat(events.toString()).doesNotContain("wrong-secret");
  }

  @Test
  void pullManifest_noCredentials_saysAuthenticationRequired() throws Exception {
    try (RegistryClient client = client(CredentialSource.none(), new ArrayList<>())) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryAuthenticationException.class)
          .hasMessageContaining("authentication required")
          .hasMessageContaining("no credentials configured for " + registry.host());
    }
  }

  @Test
  void credentialFor_otherRegistry_isNotUsed() throws Exception {
    try (RegistryClient client =
        client(CredentialSource.of("elsewhere.example:5000", "alice", "correct-horse"), new ArrayList<>())) {
      assertThatThrownBy(client::ping).isInstanceOf(RegistryAuthenticationException.class);
    }
  }
}

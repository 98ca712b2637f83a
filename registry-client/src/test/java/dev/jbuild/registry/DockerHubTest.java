package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Docker Hub is unreachable here, so WireMock stands in for registry-1.docker.io through a host override: the
 * test checks the mapping, the library/ path, the anonymous token dance with Docker Hub's scope format, and
 * that credentials are looked up under the name users write ({@code docker.io}).
 */
class DockerHubTest {
  @RegisterExtension
  static WireMockExtension hub = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] MANIFEST =
      TestImages.manifest(TestImages.configDescriptor(TestImages.config("hub")), List.of());

  @Test
  void pullManifest_dockerIoReference_goesToRegistry1WithLibraryPrefixAndToken() throws Exception {
    String challenge = "Bearer realm=\"" + hub.baseUrl() + "/token\",service=\"registry.docker.io\"";
    String path = "/v2/library/busybox/manifests/latest";
    hub.stubFor(get(path).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    hub.stubFor(get(path).withHeader("Authorization", equalTo("Bearer hub-token"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)));
    hub.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"hub-token\"}")));

    RegistryClientSettings settings = RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.of("docker.io", "hubuser", "hubpass"))
        .withRetryTiming(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(5))
        .withHostOverrides(Map.of("registry-1.docker.io", hub.baseUrl()));
    try (RegistryClient client = RegistryClient.create(settings, ImageReference.parse("busybox"))) {
      assertThat(client.registry()).isEqualTo("docker.io");
      assertThat(client.pullManifest("latest").bytes()).isEqualTo(MANIFEST);
    }
    hub.verify(getRequestedFor(urlPathEqualTo("/token"))
        .withQueryParam("scope", equalTo("repository:library/busybox:pull"))
        .withQueryParam("service", equalTo("registry.docker.io"))
        .withHeader("Authorization", equalTo("Basic " + Base64.getEncoder()
            .encodeToString("hubuser:hubpass".getBytes(StandardCharsets.UTF_8)))));
  }

  @Test
  void resolve_dockerHubAliases_allUseRegistry1OverHttps() {
    for (String alias : List.of("docker.io", "index.docker.io", "registry-1.docker.io")) {
      RegistryTarget target = RegistryTarget.resolve(alias, "library/alpine", RegistryClientSettings.defaults());
      assertThat(target.baseUrl()).isEqualTo("https://registry-1.docker.io");
      assertThat(target.https()).isTrue();
    }
  }
}

package dev.jbuild.registry.transfer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryEvent;
import dev.jbuild.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker Hub's flows with WireMock standing in for both registry-1.docker.io and auth.docker.io (through host
 * overrides): anonymous token with the library/ scope, 429 with Retry-After, and HEAD before GET so pulling an
 * image that is already in the store costs one HEAD, not a rate-limited GET.
 */
class DockerHubPullTest {
  @RegisterExtension
  static WireMockExtension hub = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final FakeImage IMAGE = FakeImage.create(Platform.host(), 2, 50_000, 7);
  private static final String REPO = "/v2/library/busybox";

  @TempDir Path temp;

  @BeforeEach
  void stubDockerHub() {
    String challenge = "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"";
    hub.stubFor(any(urlPathMatching("/v2/.*")).atPriority(10)
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    hub.stubFor(get(urlPathEqualTo("/token")).withQueryParam("scope", equalTo("repository:library/busybox:pull"))
        .willReturn(aResponse().withBody("{\"token\":\"anon-token\",\"expires_in\":300}")));
    String digest = IMAGE.manifestDescriptor().digest().toString();
    hub.stubFor(get(REPO + "/manifests/latest").atPriority(1).withHeader("Authorization", equalTo("Bearer anon-token"))
        .willReturn(aResponse().withHeader("Content-Type", MediaType.OCI_MANIFEST)
            .withHeader("Docker-Content-Digest", digest).withBody(IMAGE.manifest())));
    // As Docker Hub answers HEAD: the digest and length, no body.
    hub.stubFor(head(urlPathEqualTo(REPO + "/manifests/latest")).atPriority(1)
        .withHeader("Authorization", equalTo("Bearer anon-token"))
        .willReturn(aResponse().withHeader("Content-Type", MediaType.OCI_MANIFEST)
            .withHeader("Docker-Content-Digest", digest)
            .withHeader("Content-Length", String.valueOf(IMAGE.manifest().length))));
    for (Map.Entry<Digest, byte[]> blob : IMAGE.blobs().entrySet()) {
      hub.stubFor(get(REPO + "/blobs/" + blob.getKey()).atPriority(1)
          .withHeader("Authorization", equalTo("Bearer anon-token"))
          .willReturn(aResponse().withBody(blob.getValue())));
    }
  }

  private RegistryClientSettings settings(List<RegistryEvent> events) {
    return RegistryClientSettings.defaults()
        .withHostOverrides(Map.of("registry-1.docker.io", hub.baseUrl(), "auth.docker.io", hub.baseUrl()))
        .withRetryTiming(Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(5))
        .withEvents(events::add);
  }

  @Test
  void pull_imageAlreadyInStore_costsOnlyAHeadOfTheManifest() throws Exception {
    try (Store store = Store.open(temp)) {
      ImageTransfer transfer = new ImageTransfer(store, settings(new ArrayList<>()), null);
      ImageTransfer.PullResult first = transfer.pull(ImageReference.parse("busybox"), Platform.host());
      assertThat(first.stored()).isEqualTo(IMAGE.manifestDescriptor());
      hub.verify(getRequestedFor(urlPathEqualTo("/token")).withQueryParam("service", equalTo("registry.docker.io")));
      hub.resetRequests();

      ImageTransfer.PullResult again = transfer.pull(ImageReference.parse("busybox"), Platform.host());

      assertThat(again.stored()).isEqualTo(first.stored());
      hub.verify(1, headRequestedFor(urlPathEqualTo(REPO + "/manifests/latest"))
          .withHeader("Authorization", equalTo("Bearer anon-token")));
      hub.verify(0, getRequestedFor(urlPathMatching("/v2/.*")));
      assertThat(hub.findAll(anyRequestedFor(urlPathMatching("/v2/.*")))).allMatch(r -> r.getMethod().getName()
          .equals("HEAD"));
    }
  }

  @Test
  void pull_manifestAnswers429WithRetryAfter_waitsThenSucceeds() throws Exception {
    hub.stubFor(get(REPO + "/manifests/latest").atPriority(0).inScenario("limit")
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
            .withBody("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"rate limit\"}]}"))
        .willSetStateTo("served"));
    List<RegistryEvent> events = new ArrayList<>();
    try (Store store = Store.open(temp)) {
      long start = System.nanoTime();
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(events), null)
          .pull(ImageReference.parse("docker.io/library/busybox:latest"), Platform.host());
      assertThat(pulled.stored()).isEqualTo(IMAGE.manifestDescriptor());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
    assertThat(events).anyMatch(e -> e instanceof RegistryEvent.Retrying r && r.reason().contains("429")
        && r.delay().equals(Duration.ofSeconds(1)));
  }
}

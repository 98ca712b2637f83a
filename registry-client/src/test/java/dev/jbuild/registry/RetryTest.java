package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 429 with Retry-After, 5xx bounded retries (R01-R03). */
class RetryTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] MANIFEST =
      TestImages.manifest(TestImages.configDescriptor(TestImages.config("retry")), List.of());
  private static final String PATH = "/v2/hello/manifests/latest";

  private final List<RegistryEvent> events = new ArrayList<>();

  private RegistryClient client(int maxRetries) {
    return RegistryClient.create(
        RegistryClientSettings.defaults()
            .withMaxRetries(maxRetries)
            .withRetryTiming(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMillis(10))
            .withEvents(events::add),
        "localhost:" + server.getPort(), "hello");
  }

  private void sequence(String scenario, int... statuses) {
    String state = STARTED;
    for (int i = 0; i < statuses.length; i++) {
      String next = "step" + (i + 1);
      var response = statuses[i] == 200
          ? aResponse().withStatus(200).withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)
          : aResponse().withStatus(statuses[i]);
      server.stubFor(get(PATH).inScenario(scenario).whenScenarioStateIs(state).willReturn(response)
          .willSetStateTo(next));
      state = next;
    }
  }

  @Test
  void pullManifest_503Then503Then200_succeedsOnTheThirdAttempt() throws Exception {
    sequence("r01", 503, 503, 200);
    try (RegistryClient client = client(5)) {
      assertThat(client.pullManifest("latest").bytes()).isEqualTo(MANIFEST);
    }
    server.verify(3, getRequestedFor(urlPathEqualTo(PATH)));
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying).hasSize(2);
  }

  @Test
  void pullManifest_503Forever_givesUpAfterMaxRetriesWithStatusAndCode() throws Exception {
    server.stubFor(get(PATH).willReturn(aResponse().withStatus(503)
        .withBody("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"maintenance\"}]}")));
    try (RegistryClient client = client(3)) {
      assertThatThrownBy(() -> client.pullManifest("latest"))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("returned 503 UNAVAILABLE for hello: maintenance")
          .hasMessageContaining("after 4 attempts")
          .satisfies(e -> assertThat(((RegistryException) e).ociErrorCodes()).containsExactly("UNAVAILABLE"));
    }
    server.verify(4, getRequestedFor(urlPathEqualTo(PATH)));
  }

  @Test
  void pullManifest_429WithRetryAfterSeconds_waitsAtLeastThatLong() throws Exception {
    server.stubFor(get(PATH).inScenario("r03").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
    server.stubFor(get(PATH).inScenario("r03").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)));
    long start = System.nanoTime();
    try (RegistryClient client = client(5)) {
      client.pullManifest("latest");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying)
        .singleElement()
        .satisfies(e -> assertThat(((RegistryEvent.Retrying) e).delay()).isEqualTo(Duration.ofSeconds(1)));
  }

  @Test
  void pullManifest_429RetryAfterBeyondCap_waitsOnlyTheCap() throws Exception {
    server.stubFor(get(PATH).inScenario("cap").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")).willSetStateTo("ok"));
    server.stubFor(get(PATH).inScenario("cap").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)));
    try (RegistryClient client = RegistryClient.create(
        RegistryClientSettings.defaults()
            .withRetryTiming(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofMillis(10))
            .withEvents(events::add),
        "localhost:" + server.getPort(), "hello")) {
      client.pullManifest("latest");
    }
    assertThat(((RegistryEvent.Retrying) events.get(0)).delay()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void pullManifest_404_isNotRetried() throws Exception {
    server.stubFor(get(PATH).willReturn(aResponse().withStatus(404)
        .withBody("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}")));
    try (RegistryClient client = client(5)) {
      assertThatThrownBy(() -> client.pullManifest("latest")).isInstanceOf(ManifestNotFoundException.class);
    }
    server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
  }
}

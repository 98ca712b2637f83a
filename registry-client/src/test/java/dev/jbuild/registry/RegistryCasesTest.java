package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cases of security/CASES.md groups R and C that no other test class covers (R05, R19, R20, C04, C07). */
class RegistryCasesTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] BLOB = TestImages.randomBytes(3000, 9);
  private static final Descriptor DESCRIPTOR = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, BLOB);

  private String host() {
    return "localhost:" + server.getPort();
  }

  @Test
  void pushBlob_patchAnswers429_restartsTheSessionFromPostWithFreshContent() throws Exception {
    server.stubFor(head(urlPathEqualTo("/v2/hello/blobs/" + DESCRIPTOR.digest())).willReturn(aResponse().withStatus(404)));
    server.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/hello/blobs/uploads/s1")));
    server.stubFor(patch(urlPathEqualTo("/v2/hello/blobs/uploads/s1")).inScenario("limit")
        .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0"))
        .willSetStateTo("open"));
    for (String range : List.of("0-" + (BLOB.length - 2), (BLOB.length - 1) + "-" + (BLOB.length - 1))) {
      String end = range.substring(range.indexOf('-') + 1);
      server.stubFor(patch(urlPathEqualTo("/v2/hello/blobs/uploads/s1")).inScenario("limit").whenScenarioStateIs("open")
          .withHeader("Content-Range", equalTo(range))
          .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/hello/blobs/uploads/s1")
              .withHeader("Range", "0-" + end)));
    }
    server.stubFor(put(urlPathEqualTo("/v2/hello/blobs/uploads/s1")).willReturn(aResponse().withStatus(201)));
    AtomicInteger opened = new AtomicInteger();
    RegistryClientSettings settings = RegistryClientSettings.defaults().withTransport(new JdkHttpTransport())
        .withChunkSize(BLOB.length - 1).withRetryTiming(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(5));
    try (RegistryClient client = RegistryClient.create(settings, host(), "hello")) {
      boolean uploaded = client.pushBlob(DESCRIPTOR, () -> {
        opened.incrementAndGet();
        return new ByteArrayInputStream(BLOB);
      }, null);
      assertThat(uploaded).isTrue();
    }
    // The half-sent streaming body was never re-sent in place: a new session started from POST.
    server.verify(2, postRequestedFor(urlPathEqualTo("/v2/hello/blobs/uploads/")));
    assertThat(opened.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void pullBlob_zeroSizeDescriptor_isRejectedBeforeAnyRequest() throws Exception {
    Descriptor zero = new Descriptor(MediaType.OCI_LAYER_GZIP, DESCRIPTOR.digest(), 0);
    try (RegistryClient client = RegistryClient.create(RegistryClientSettings.defaults(), host(), "hello")) {
      assertThatThrownBy(() -> client.pullBlob(zero, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("zero-size descriptor");
    }
    server.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void pullBlob_serverStallsLongerThanTheReadTimeout_givesUpWithinTheRetryBudget() throws Exception {
    server.stubFor(get(urlPathEqualTo("/v2/hello/blobs/" + DESCRIPTOR.digest()))
        .willReturn(aResponse().withBody(BLOB).withFixedDelay(3000)));
    List<RegistryEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    RegistryClientSettings settings = RegistryClientSettings.defaults().withEvents(events::add)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(200)).withMaxRetries(2)
        .withRetryTiming(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(5));
    long start = System.nanoTime();
    try (RegistryClient client = RegistryClient.create(settings, host(), "hello")) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryUnreachableException.class)
          .hasMessageContaining(DESCRIPTOR.digest().toString());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    // Each attempt timed out on its own read deadline: two retries, then the error.
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.Retrying).hasSize(2);
  }

  @Test
  void authorization_plainHttpRegistryNotNamedInsecure_neverGetsBasicCredentials() throws Exception {
    RegistryClientSettings settings = RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.of("registry.example:5000", "u", "p"))
        .withHostOverrides(Map.of("registry.example:5000", "http://registry.example:5000"));
    RegistryTarget plain = RegistryTarget.resolve("registry.example:5000", "app", settings);
    Authenticator auth = new Authenticator(plain, settings, new JdkHttpTransport().createRequestFactory());
    assertThat(auth.onChallenge(List.of("Basic realm=\"r\""), null)).isFalse();
    assertThat(auth.authorization(List.of("repository:app:pull"), false)).isNull();
    assertThat(auth.explainFailure(null)).contains("not sent over plain HTTP");

    RegistryClientSettings named = settings.withInsecureRegistries(java.util.Set.of("registry.example:5000"));
    Authenticator allowed = new Authenticator(RegistryTarget.resolve("registry.example:5000", "app", named), named,
        new JdkHttpTransport().createRequestFactory());
    assertThat(allowed.onChallenge(List.of("Basic realm=\"r\""), null)).isTrue();
    assertThat(allowed.authorization(List.of("repository:app:pull"), false)).startsWith("Basic ");
  }

  @Test
  void pullManifest_secondRepository_exchangesANewTokenForItsOwnScope() throws Exception {
    String challenge = "Bearer realm=\"" + server.baseUrl() + "/token\",service=\"svc\"";
    server.stubFor(any(urlPathMatching("/v2/.*")).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    byte[] manifest = TestImages.manifest(TestImages.configDescriptor(TestImages.config("c07")), List.of());
    for (String repo : List.of("a", "b")) {
      server.stubFor(get(urlPathEqualTo("/token")).withQueryParam("scope", equalTo("repository:" + repo + ":pull"))
          .willReturn(aResponse().withBody("{\"token\":\"tok-" + repo + "\",\"expires_in\":300}")));
      server.stubFor(get("/v2/" + repo + "/manifests/latest").withHeader("Authorization", equalTo("Bearer tok-" + repo))
          .willReturn(aResponse().withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(manifest)));
    }
    RegistryClientSettings settings = RegistryClientSettings.defaults();
    try (RegistryClient a = RegistryClient.create(settings, host(), "a");
        RegistryClient b = RegistryClient.create(settings, host(), "b")) {
      a.pullManifest("latest");
      b.pullManifest("latest");
      assertThat(a.caller().authenticator().cachedScopes()).containsExactly("repository:a:pull");
      assertThat(b.caller().authenticator().cachedScopes()).containsExactly("repository:b:pull");
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")).withQueryParam("scope", equalTo("repository:a:pull")));
    server.verify(1, getRequestedFor(urlPathEqualTo("/token")).withQueryParam("scope", equalTo("repository:b:pull")));
    server.verify(0, getRequestedFor(urlPathEqualTo("/v2/b/manifests/latest")).withHeader("Authorization",
        equalTo("Bearer tok-a")));
  }
}

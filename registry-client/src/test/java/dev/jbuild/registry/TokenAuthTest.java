package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bearer token flow (anonymous, Basic to the realm, scopes, caching, refresh) and Basic challenges. */
class TokenAuthTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] MANIFEST =
      TestImages.manifest(TestImages.configDescriptor(TestImages.config("auth")), List.of());

  private String host() {
    return "localhost:" + server.getPort();
  }

  private RegistryClient client(CredentialSource credentials) {
    return RegistryClient.create(
        RegistryClientSettings.defaults()
            .withCredentials(credentials)
            .withRetryTiming(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(5)),
        host(), "hello");
  }

  private void bearerRegistry(String scope) {
    String challenge = "Bearer realm=\"" + server.baseUrl() + "/token\",service=\"test-registry\",scope=\"" + scope + "\"";
    server.stubFor(get("/v2/hello/manifests/latest").withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)
            .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
    server.stubFor(get("/v2/hello/manifests/latest").withHeader("Authorization", equalTo("Bearer tok-1"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)));
    server.stubFor(get(urlPathEqualTo("/token"))
        .willReturn(aResponse().withStatus(200).withBody("{\"token\":\"tok-1\",\"expires_in\":300}")));
  }

  @Test
  void pullManifest_anonymousBearerChallenge_fetchesPullTokenWithoutCredentials() throws Exception {
    bearerRegistry("repository:hello:pull");
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThat(client.pullManifest("latest").bytes()).isEqualTo(MANIFEST);
    }
    List<LoggedRequest> tokenRequests = server.findAll(getRequestedFor(urlPathEqualTo("/token")));
    assertThat(tokenRequests).hasSize(1);
    assertThat(tokenRequests.get(0).queryParameter("scope").values()).containsExactly("repository:hello:pull");
    assertThat(tokenRequests.get(0).queryParameter("service").firstValue()).isEqualTo("test-registry");
    assertThat(tokenRequests.get(0).containsHeader("Authorization")).isFalse();
  }

  @Test
  void pullManifest_withCredentials_sendsBasicToTheRealmOnly() throws Exception {
    bearerRegistry("repository:hello:pull");
    try (RegistryClient client = client(CredentialSource.of(host(), "alice", "s3cret"))) {
      client.pullManifest("latest");
    }
    String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    server.verify(getRequestedFor(urlPathEqualTo("/token")).withHeader("Authorization", equalTo(basic)));
    // The registry itself only ever sees the bearer token.
    for (LoggedRequest r : server.findAll(getRequestedFor(urlPathEqualTo("/v2/hello/manifests/latest")))) {
      assertThat(r.getHeader("Authorization")).isIn(null, "Bearer tok-1");
    }
  }

  @Test
  void pullManifest_twice_reusesTheCachedToken() throws Exception {
    bearerRegistry("repository:hello:pull");
    try (RegistryClient client = client(CredentialSource.none())) {
      client.pullManifest("latest");
      client.pullManifest("latest");
    }
    assertThat(server.findAll(getRequestedFor(urlPathEqualTo("/token")))).hasSize(1);
  }

  @Test
  void pullManifest_tokenAlwaysRejected_refreshesOnceThenFails() throws Exception {
    String challenge = "Bearer realm=\"" + server.baseUrl() + "/token\",service=\"s\"";
    server.stubFor(get("/v2/hello/manifests/latest")
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    server.stubFor(get(urlPathEqualTo("/token"))
        .willReturn(aResponse().withStatus(200).withBody("{\"access_token\":\"expired\"}")));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThatThrownBy(() -> client.pullManifest("latest"))
          .isInstanceOf(RegistryAuthenticationException.class)
          .hasMessageContaining("registry " + host() + " returned 401 UNAUTHORIZED for hello")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("expired"));
    }
    assertThat(server.findAll(getRequestedFor(urlPathEqualTo("/token")))).hasSize(2);
    assertThat(server.findAll(getRequestedFor(urlPathEqualTo("/v2/hello/manifests/latest")))).hasSize(3);
  }

  @Test
  void pushBlob_mountFromOtherRepository_requestsPushAndSourcePullScopes() throws Exception {
    String challenge = "Bearer realm=\"" + server.baseUrl() + "/token\",service=\"s\"";
    server.stubFor(head(urlPathEqualTo("/v2/hello/blobs/" + digestOf("x")))
        .withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    server.stubFor(head(urlPathEqualTo("/v2/hello/blobs/" + digestOf("x")))
        .withHeader("Authorization", equalTo("Bearer t")).willReturn(aResponse().withStatus(404)));
    server.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    server.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .withHeader("Authorization", equalTo("Bearer t")).willReturn(aResponse().withStatus(201)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"t\"}")));
    Descriptor descriptor = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, "x".getBytes(StandardCharsets.UTF_8));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThat(client.pushBlob(descriptor, TestImages.content("x".getBytes(StandardCharsets.UTF_8)), "base/img"))
          .isFalse();
    }
    List<List<String>> scopes = server.findAll(getRequestedFor(urlPathEqualTo("/token"))).stream()
        .map(r -> r.queryParameter("scope").values()).toList();
    assertThat(scopes).containsExactly(
        List.of("repository:hello:pull,push"), List.of("repository:hello:pull,push", "repository:base/img:pull"));
  }

  @Test
  void pushManifest_basicChallenge_sendsBasicCredentialsToTheRegistry() throws Exception {
    server.stubFor(put("/v2/hello/manifests/v1").withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
    server.stubFor(put("/v2/hello/manifests/v1").withHeader("Authorization", equalTo(
            "Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8))))
        .willReturn(aResponse().withStatus(201)));
    try (RegistryClient client = client(CredentialSource.of(host(), "bob", "pw"))) {
      assertThat(client.pushManifest("v1", MANIFEST, MediaType.OCI_MANIFEST)).isEqualTo(dev.jbuild.oci.Digest.sha256Of(MANIFEST));
    }
  }

  @Test
  void pullManifest_fileRealm_isRefusedBeforeAnyTokenRequest() throws Exception {
    server.stubFor(get("/v2/hello/manifests/latest").willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"file:///etc/passwd\",service=\"s\"")));
    try (RegistryClient client = client(CredentialSource.of(host(), "alice", "s3cret"))) {
      assertThatThrownBy(() -> client.pullManifest("latest"))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("refusing token realm file:///etc/passwd");
    }
  }

  @Test
  void pullManifest_tokenBodyOverOneMebibyte_isRejected() throws Exception {
    bearerRegistry("repository:hello:pull");
    server.stubFor(get(urlPathEqualTo("/token"))
        .willReturn(aResponse().withBody("{\"token\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}")));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThatThrownBy(() -> client.pullManifest("latest"))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("token response")
          .hasMessageContaining("exceeds the limit");
    }
  }

  @Test
  void pullManifest_tokenExpiredMidSession_refreshesOnceAndSucceeds() throws Exception {
    String challenge = "Bearer realm=\"" + server.baseUrl() + "/token\",service=\"s\"";
    server.stubFor(get("/v2/hello/manifests/latest").withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    server.stubFor(get("/v2/hello/manifests/latest").withHeader("Authorization", equalTo("Bearer old"))
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    server.stubFor(get("/v2/hello/manifests/latest").withHeader("Authorization", equalTo("Bearer new"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)));
    server.stubFor(get(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs(
            com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
        .willReturn(aResponse().withBody("{\"token\":\"old\"}")).willSetStateTo("second"));
    server.stubFor(get(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs("second")
        .willReturn(aResponse().withBody("{\"token\":\"new\"}")));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThat(client.pullManifest("latest").bytes()).isEqualTo(MANIFEST);
    }
    assertThat(server.findAll(getRequestedFor(urlPathEqualTo("/token")))).hasSize(2);
  }

  private static String digestOf(String content) {
    return dev.jbuild.oci.Digest.sha256Of(content.getBytes(StandardCharsets.UTF_8)).toString();
  }
}

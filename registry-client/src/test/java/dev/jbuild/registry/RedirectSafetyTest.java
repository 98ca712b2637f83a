package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redirects never carry credentials to another host:port, are bounded, and cannot reach internal addresses. */
class RedirectSafetyTest {
  @RegisterExtension
  static WireMockExtension registry = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  /** Stands for presigned storage or an attacker: records every header it receives. */
  @RegisterExtension
  static WireMockExtension attacker = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] BLOB = TestImages.randomBytes(10_000, 7);
  private static final Descriptor DESCRIPTOR = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, BLOB);
  private static final String PATH = "/v2/hello/blobs/" + DESCRIPTOR.digest();

  private RegistryClient client(CredentialSource credentials) {
    return RegistryClient.create(
        RegistryClientSettings.defaults().withCredentials(credentials)
            .withMaxRetries(0).withRetryTiming(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + registry.getPort(), "hello");
  }

  @Test
  void pullBlob_redirectToAnotherPortWithBasicAuth_sendsNoAuthorizationThere() throws Exception {
    String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    registry.stubFor(get(PATH).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
    registry.stubFor(get(PATH).withHeader("Authorization", equalTo(basic)).willReturn(aResponse().withStatus(307)
        .withHeader("Location", attacker.baseUrl() + "/storage/blob?X-Amz-Signature=abc")));
    attacker.stubFor(get(urlPathEqualTo("/storage/blob")).willReturn(aResponse().withStatus(200).withBody(BLOB)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RegistryClient client = client(CredentialSource.of("localhost:" + registry.getPort(), "alice", "s3cret"))) {
      client.pullBlob(DESCRIPTOR, out);
    }
    assertThat(out.toByteArray()).isEqualTo(BLOB);
    List<LoggedRequest> seen = attacker.findAll(anyRequestedFor(anyUrl()));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).containsHeader("Authorization")).isFalse();
  }

  @Test
  void pullBlob_redirectedHostChallengesFor401_getsNoTokenAndNoCredentials() throws Exception {
    String challenge = "Bearer realm=\"" + registry.baseUrl() + "/token\",service=\"s\"";
    registry.stubFor(get(PATH).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"registry-token\"}")));
    registry.stubFor(get(PATH).withHeader("Authorization", equalTo("Bearer registry-token"))
        .willReturn(aResponse().withStatus(302).withHeader("Location", attacker.baseUrl() + "/steal")));
    attacker.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"" + attacker.baseUrl() + "/token\",service=\"evil\"")));
    try (RegistryClient client = client(CredentialSource.of("localhost:" + registry.getPort(), "alice", "s3cret"))) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryAuthenticationException.class);
    }
    for (LoggedRequest r : attacker.findAll(anyRequestedFor(anyUrl()))) {
      assertThat(r.containsHeader("Authorization")).isFalse();
      assertThat(r.getUrl()).doesNotStartWith("/token");
    }
  }

  @Test
  void pullBlob_elevenRedirects_stopsAfterTen() throws Exception {
    registry.stubFor(get(urlPathMatching("/loop/.*"))
        .willReturn(aResponse().withStatus(302).withHeader("Location", "/loop/again")));
    registry.stubFor(get(PATH).willReturn(aResponse().withStatus(302).withHeader("Location", "/loop/start")));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("more than 10 redirects");
    }
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).hasSize(11);
  }

  @Test
  void pushBlob_uploadLocationWithNonHttpScheme_isRefused() throws Exception {
    registry.stubFor(head(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404)));
    registry.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "ftp://10.0.0.7/upload")));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThatThrownBy(() -> client.pushBlob(DESCRIPTOR, TestImages.content(BLOB), null))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("refusing to follow ftp://10.0.0.7/upload");
    }
  }

  @Test
  void pullBlob_redirectUrlWithToken_isRedactedInMessages() throws Exception {
    registry.stubFor(get(PATH).willReturn(aResponse().withStatus(302)
        .withHeader("Location", "gopher://user:pw@storage.example/x?access_token=SECRET")));
    try (RegistryClient client = client(CredentialSource.none())) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET").doesNotContain("user:pw"));
    }
  }
}

package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A refused cross-repository mount falls back to an upload; a pagination loop stops at once (R, C groups). */
class MountFallbackAndPaginationTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] BLOB = TestImages.randomBytes(5_000, 3);
  private static final Descriptor DESCRIPTOR = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, BLOB);

  private RegistryClient client() {
    return RegistryClient.create(RegistryClientSettings.defaults().withMaxRetries(1)
            .withRetryTiming(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + server.getPort(), "team-b/app");
  }

  /**
   * distribution (and Docker Hub) answer a mount POST with 401 insufficient_scope when the token lacks pull on the
   * {@code from} repository (the token service grants only what the user may do). As docker and crane, the push
   * then uploads the blob; the source repositories jbuild remembers may be foreign or gone.
   */
  @Test
  void pushBlob_mountRefusedWith401_fallsBackToAnUpload() throws Exception {
    String challenge = "Bearer realm=\"" + server.baseUrl() + "/token\",service=\"reg\"";
    server.stubFor(any(urlPathEqualTo("/v2/team-b/app/blobs/" + DESCRIPTOR.digest())).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
    server.stubFor(any(urlPathEqualTo("/v2/team-b/app/blobs/" + DESCRIPTOR.digest()))
        .withHeader("Authorization", equalTo("Bearer t")).willReturn(aResponse().withStatus(404)));
    server.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(200).withBody("{\"token\":\"t\"}")));
    server.stubFor(post(urlPathEqualTo("/v2/team-b/app/blobs/uploads/")).withQueryParam("from", equalTo("team-a/base"))
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
            challenge + ",scope=\"repository:team-b/app:pull,push repository:team-a/base:pull\",error=\"insufficient_scope\"")
            .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
    server.stubFor(post(urlPathEqualTo("/v2/team-b/app/blobs/uploads/")).withQueryParam("from", absent())
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/team-b/app/blobs/uploads/s1")));
    server.stubFor(put(urlPathEqualTo("/v2/team-b/app/blobs/uploads/s1")).willReturn(aResponse().withStatus(201)));
    try (RegistryClient client = client()) {
      assertThat(client.pushBlob(DESCRIPTOR, () -> new ByteArrayInputStream(BLOB), "team-a/base")).isTrue();
    }
    server.verify(1, putRequestedFor(urlPathEqualTo("/v2/team-b/app/blobs/uploads/s1")));
  }

  /** A Link header that leads back to a page already read is an error at once, not 10,000 requests. */
  @Test
  void listTags_linkToTheSamePage_stopsAtOnce() throws Exception {
    server.stubFor(get(urlPathEqualTo("/v2/team-b/app/tags/list")).willReturn(aResponse().withStatus(200)
        .withHeader("Link", "</v2/team-b/app/tags/list?n=1&last=a>; rel=\"next\"")
        .withBody("{\"name\":\"team-b/app\",\"tags\":[\"a\"]}")));
    try (RegistryClient client = client()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(client::listTags).isInstanceOf(RegistryException.class)
          .hasMessageContaining("leads back to a page already read");
    }
    assertThat(server.findAll(getRequestedFor(urlPathEqualTo("/v2/team-b/app/tags/list")))).hasSize(2);
  }
}

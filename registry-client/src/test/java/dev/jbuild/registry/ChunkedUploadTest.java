package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chunked uploads: honour OCI-Chunk-Min-Length (R16) and resync after 416 (R15). */
class ChunkedUploadTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] BLOB = TestImages.randomBytes(3000, 5);
  private static final Descriptor DESCRIPTOR = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, BLOB);
  private static final String SESSION = "/v2/hello/blobs/uploads/s1";

  private RegistryClient client() {
    return RegistryClient.create(
        RegistryClientSettings.defaults().withTransport(new JdkHttpTransport()).withChunkSize(1000)
            .withRetryTiming(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + server.getPort(), "hello");
  }

  private void session(String minChunk) {
    server.stubFor(head(urlPathEqualTo("/v2/hello/blobs/" + DESCRIPTOR.digest())).willReturn(aResponse().withStatus(404)));
    var started = aResponse().withStatus(202).withHeader("Location", SESSION);
    server.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .willReturn(minChunk == null ? started : started.withHeader("OCI-Chunk-Min-Length", minChunk)));
    server.stubFor(put(urlPathEqualTo(SESSION)).willReturn(aResponse().withStatus(201)));
  }

  @Test
  void pushBlob_serverDemandsBiggerChunks_sendsChunksOfAtLeastTheMinimum() throws Exception {
    session("2000");
    server.stubFor(patch(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("0-1999"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", SESSION).withHeader("Range", "0-1999")));
    server.stubFor(patch(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("2000-2999"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", SESSION).withHeader("Range", "0-2999")));
    try (RegistryClient client = client()) {
      assertThat(client.pushBlob(DESCRIPTOR, TestImages.content(BLOB), null)).isTrue();
    }
    server.verify(2, patchRequestedFor(urlPathEqualTo(SESSION)));
    server.verify(putRequestedFor(urlPathEqualTo(SESSION)).withQueryParam("digest", equalTo(DESCRIPTOR.digest().toString())));
  }

  @Test
  void pushBlob_chunkRejectedWith416_asksStatusAndResumesWhereTheRegistryIs() throws Exception {
    session(null);
    server.stubFor(patch(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("0-999"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", SESSION).withHeader("Range", "0-999")));
    server.stubFor(patch(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("1000-1999"))
        .willReturn(aResponse().withStatus(416)));
    server.stubFor(get(urlPathEqualTo(SESSION))
        .willReturn(aResponse().withStatus(204).withHeader("Location", SESSION).withHeader("Range", "0-1499")));
    server.stubFor(patch(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("1500-2499"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", SESSION).withHeader("Range", "0-2499")));
    server.stubFor(patch(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("2500-2999"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", SESSION).withHeader("Range", "0-2999")));
    try (RegistryClient client = client()) {
      assertThat(client.pushBlob(DESCRIPTOR, TestImages.content(BLOB), null)).isTrue();
    }
    server.verify(patchRequestedFor(urlPathEqualTo(SESSION)).withHeader("Content-Range", equalTo("1500-2499")));
    server.verify(1, putRequestedFor(urlPathEqualTo(SESSION)));
  }
}

package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Upload failures restart the session from POST with freshly opened content (R05). */
class BlobPushTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] BLOB = TestImages.randomBytes(50_000, 9);
  private static final Descriptor DESCRIPTOR = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, BLOB);

  private RegistryClient client() {
    return RegistryClient.create(
        RegistryClientSettings.defaults().withMaxRetries(3)
            .withRetryTiming(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + server.getPort(), "hello");
  }

  @Test
  void pushBlob_putFailsWith503Once_restartsFromPostAndReopensContent() throws Exception {
    server.stubFor(head(urlPathEqualTo("/v2/hello/blobs/" + DESCRIPTOR.digest())).willReturn(aResponse().withStatus(404)));
    server.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/hello/blobs/uploads/session?_state=x")));
    server.stubFor(put(urlPathMatching("/v2/hello/blobs/uploads/session")).inScenario("put")
        .whenScenarioStateIs(STARTED).willReturn(aResponse().withStatus(503)).willSetStateTo("ok"));
    server.stubFor(put(urlPathMatching("/v2/hello/blobs/uploads/session")).inScenario("put")
        .whenScenarioStateIs("ok").willReturn(aResponse().withStatus(201)
            .withHeader("Docker-Content-Digest", DESCRIPTOR.digest().toString())));
    AtomicInteger opened = new AtomicInteger();
    try (RegistryClient client = client()) {
      assertThat(client.pushBlob(DESCRIPTOR, () -> {
        opened.incrementAndGet();
        return new ByteArrayInputStream(BLOB);
      }, null)).isTrue();
    }
    assertThat(opened).hasValue(2);
    server.verify(2, postRequestedFor(urlPathEqualTo("/v2/hello/blobs/uploads/")));
    server.verify(2, putRequestedFor(urlPathEqualTo("/v2/hello/blobs/uploads/session"))
        .withQueryParam("digest", com.github.tomakehurst.wiremock.client.WireMock.equalTo(DESCRIPTOR.digest().toString()))
        .withQueryParam("_state", com.github.tomakehurst.wiremock.client.WireMock.equalTo("x")));
  }

  @Test
  void pushBlob_contentFailsToOpen_surfacesTheIoExceptionWithoutRetry() throws Exception {
    server.stubFor(head(urlPathEqualTo("/v2/hello/blobs/" + DESCRIPTOR.digest())).willReturn(aResponse().withStatus(404)));
    server.stubFor(post(urlPathEqualTo("/v2/hello/blobs/uploads/"))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/hello/blobs/uploads/s2")));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pushBlob(DESCRIPTOR, () -> {
        throw new IOException("disk on fire");
      }, null)).isInstanceOf(IOException.class).hasMessage("disk on fire");
    }
    server.verify(1, postRequestedFor(urlPathEqualTo("/v2/hello/blobs/uploads/")));
  }
}

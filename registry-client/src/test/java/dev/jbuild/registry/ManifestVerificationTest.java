package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Manifests: local digests, size cap, media type agreement, strict parsing (M01-M06, R17). */
class ManifestVerificationTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final byte[] MANIFEST =
      TestImages.manifest(TestImages.configDescriptor(TestImages.config("verify")), List.of());
  private static final Digest DIGEST = Digest.sha256Of(MANIFEST);

  private RegistryClient client() {
    return RegistryClient.create(
        RegistryClientSettings.defaults().withMaxRetries(0)
            .withRetryTiming(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + server.getPort(), "hello");
  }

  private void serve(String reference, String contentType, byte[] body) {
    server.stubFor(get("/v2/hello/manifests/" + reference)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", contentType).withBody(body)));
  }

  @Test
  void pullManifest_byDigestWithOtherBytesAndLyingHeader_isRejected() throws Exception {
    byte[] other = TestImages.manifest(TestImages.configDescriptor(TestImages.config("evil")), List.of());
    server.stubFor(get("/v2/hello/manifests/" + DIGEST).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaType.OCI_MANIFEST).withHeader("Docker-Content-Digest", DIGEST.toString())
        .withBody(other)));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullManifest(DIGEST.toString()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("does not match its digest")
          .hasCauseInstanceOf(DigestMismatchException.class);
    }
  }

  @Test
  void pullManifest_byTagWithContradictingDigestHeader_isRejected() throws Exception {
    server.stubFor(get("/v2/hello/manifests/v1").willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", MediaType.OCI_MANIFEST)
        .withHeader("Docker-Content-Digest", Digest.sha256Of(new byte[1]).toString()).withBody(MANIFEST)));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("Docker-Content-Digest");
    }
  }

  @Test
  void pullManifest_overFourMebibytes_isRejectedWithoutReadingItAll() throws Exception {
    byte[] huge = new byte[4 * 1024 * 1024 + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    serve("big", MediaType.OCI_MANIFEST, huge);
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullManifest("big"))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("exceeds the limit of 4194304 bytes");
    }
  }

  @Test
  void pullManifest_contentTypeDisagreesWithBodyMediaType_isRejected() throws Exception {
    serve("v1", MediaType.OCI_INDEX, MANIFEST);
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("is served as " + MediaType.OCI_INDEX);
    }
  }

  @Test
  void pullManifest_manifestCarryingManifestsField_isRejectedAsMalformed() throws Exception {
    byte[] confused = ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG
            + "\",\"digest\":\"" + DIGEST + "\",\"size\":1},\"layers\":[],\"manifests\":[]}")
        .getBytes(StandardCharsets.UTF_8);
    serve("v1", MediaType.OCI_MANIFEST, confused);
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullManifest("v1"))
          .isInstanceOf(RegistryProtocolException.class)
          .hasCauseInstanceOf(MalformedContentException.class);
    }
  }

  @Test
  void pullManifest_bodyWithoutMediaType_takesItFromContentType() throws Exception {
    byte[] noField = ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG
            + "\",\"digest\":\"" + DIGEST + "\",\"size\":1},\"layers\":[]}")
        .getBytes(StandardCharsets.UTF_8);
    serve("v1", MediaType.DOCKER_MANIFEST + "; charset=utf-8", noField);
    try (RegistryClient client = client()) {
      ManifestResponse response = client.pullManifest("v1");
      assertThat(response.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
      assertThat(response.digest()).isEqualTo(Digest.sha256Of(noField));
    }
  }

  @Test
  void headManifest_405_fallsBackToGet() throws Exception {
    server.stubFor(head(urlPathEqualTo("/v2/hello/manifests/v1")).willReturn(aResponse().withStatus(405)));
    serve("v1", MediaType.OCI_MANIFEST, MANIFEST);
    try (RegistryClient client = client()) {
      Optional<Descriptor> descriptor = client.headManifest("v1");
      assertThat(descriptor).contains(new Descriptor(MediaType.OCI_MANIFEST, DIGEST, MANIFEST.length));
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/v2/hello/manifests/v1")));
  }

  @Test
  void pushManifest_registryReportsOtherDigest_isRejected() throws Exception {
    server.stubFor(put("/v2/hello/manifests/v1").willReturn(aResponse().withStatus(201)
        .withHeader("Docker-Content-Digest", Digest.sha256Of(new byte[2]).toString())));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pushManifest("v1", MANIFEST, MediaType.OCI_MANIFEST))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("but we sent " + DIGEST);
    }
  }

  @Test
  void pushManifest_mediaTypeContradictsBody_isRefusedLocally() {
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pushManifest("v1", MANIFEST, MediaType.OCI_INDEX))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("contradicts");
    }
  }

  @Test
  void pullManifest_invalidReference_isRefusedBeforeAnyRequest() {
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullManifest("sha256:../../etc/passwd"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> client.pullManifest("../x")).isInstanceOf(IllegalArgumentException.class);
    }
  }
}

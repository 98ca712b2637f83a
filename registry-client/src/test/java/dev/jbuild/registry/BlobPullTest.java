package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Blob download: resume with Range after a break (R06, R07, R08, R09, R10), size and digest checks (M08). */
class BlobPullTest {
  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final int SIZE = 256 * 1024;
  private static final int CUT = 100_000;
  private static final byte[] BLOB = TestImages.randomBytes(SIZE, 42);
  private static final Descriptor DESCRIPTOR = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, BLOB);
  private static final String PATH = "/v2/hello/blobs/" + DESCRIPTOR.digest();

  private RegistryClient client() {
    return RegistryClient.create(
        RegistryClientSettings.defaults().withRetryTiming(Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + server.getPort(), "hello");
  }

  /** The first GET declares the full length but the connection closes after {@code CUT} bytes. */
  private void firstResponseBreaksOff() {
    server.stubFor(get(PATH).withHeader("Range", absent()).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", String.valueOf(SIZE)).withBody(Arrays.copyOf(BLOB, CUT))));
  }

  @Test
  void pullBlob_connectionBreaksMidBlob_resumesWithRangeAndVerifies() throws Exception {
    firstResponseBreaksOff();
    server.stubFor(get(PATH).withHeader("Range", equalTo("bytes=" + CUT + "-")).willReturn(aResponse().withStatus(206)
        .withHeader("Content-Range", "bytes " + CUT + "-" + (SIZE - 1) + "/" + SIZE)
        .withBody(Arrays.copyOfRange(BLOB, CUT, SIZE))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RegistryClient client = client()) {
      client.pullBlob(DESCRIPTOR, out);
    }
    assertThat(out.toByteArray()).isEqualTo(BLOB);
    server.verify(getRequestedFor(urlPathEqualTo(PATH)).withHeader("Range", equalTo("bytes=" + CUT + "-")));
  }

  @Test
  void pullBlob_serverIgnoresRangeOnResume_skipsTheBytesAlreadyWritten() throws Exception {
    firstResponseBreaksOff();
    server.stubFor(get(PATH).withHeader("Range", equalTo("bytes=" + CUT + "-"))
        .willReturn(aResponse().withStatus(200).withBody(BLOB)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RegistryClient client = client()) {
      client.pullBlob(DESCRIPTOR, out);
    }
    assertThat(out.toByteArray()).isEqualTo(BLOB);
  }

  @Test
  void pullBlob_resumeWithWrongContentRangeStart_isRejected() throws Exception {
    firstResponseBreaksOff();
    server.stubFor(get(PATH).withHeader("Range", equalTo("bytes=" + CUT + "-")).willReturn(aResponse().withStatus(206)
        .withHeader("Content-Range", "bytes 0-" + (SIZE - 1) + "/" + SIZE).withBody(BLOB)));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("Content-Range starts at 0, not at the requested " + CUT);
    }
  }

  @Test
  void pullBlob_resumeWithMalformedContentRange_isRejected() throws Exception {
    firstResponseBreaksOff();
    server.stubFor(get(PATH).withHeader("Range", equalTo("bytes=" + CUT + "-")).willReturn(aResponse().withStatus(206)
        .withHeader("Content-Range", "bytes " + CUT + "-" + (SIZE - 1) + "/3a")
        .withBody(Arrays.copyOfRange(BLOB, CUT, SIZE))));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("malformed Content-Range");
    }
  }

  @Test
  void pullBlob_serverAlwaysBreaksAtTheSameOffset_stopsAfterBoundedAttempts() throws Exception {
    firstResponseBreaksOff();
    server.stubFor(get(PATH).withHeader("Range", equalTo("bytes=" + CUT + "-"))
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    try (RegistryClient client = RegistryClient.create(
        RegistryClientSettings.defaults().withMaxRetries(1)
            .withRetryTiming(Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofMillis(5)),
        "localhost:" + server.getPort(), "hello")) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryUnreachableException.class)
          .hasMessageContaining("localhost:" + server.getPort() + "/hello");
    }
  }

  @Test
  void pullBlob_bodyWithWrongDigest_isRejectedWithDigestMismatchCause() throws Exception {
    byte[] tampered = BLOB.clone();
    tampered[1234] ^= 1;
    server.stubFor(get(PATH).willReturn(aResponse().withStatus(200).withBody(tampered)));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("does not match its digest")
          .hasCauseInstanceOf(DigestMismatchException.class);
    }
  }

  @Test
  void pullBlob_bodyOneByteLonger_isRejectedAsSizeMismatch() throws Exception {
    server.stubFor(get(PATH).willReturn(aResponse().withStatus(200).withBody(Arrays.copyOf(BLOB, SIZE + 1))));
    try (RegistryClient client = client()) {
      assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasMessageContaining("longer than its descriptor")
          .hasCauseInstanceOf(DigestMismatchException.class);
    }
  }

  /** Into a store writer: the writer's own hash is what gets verified, across a resume and a Range the server ignored. */
  @Test
  void pullBlob_intoAStoreWriter_verifiesWithTheWritersHash_evenAfterAnIgnoredRange(@TempDir Path tmp)
      throws Exception {
    firstResponseBreaksOff();
    // The resume asks for a Range; the server sends the whole blob again, so the first CUT bytes are skipped.
    server.stubFor(get(PATH).withHeader("Range", equalTo("bytes=" + CUT + "-"))
        .willReturn(aResponse().withStatus(200).withBody(BLOB)));
    try (Store store = Store.open(tmp.resolve("store")); RegistryClient client = client();
        BlobWriter writer = store.blobs().newWriter()) {
      client.pullBlob(DESCRIPTOR, writer.stream(), writer);
      assertThat(writer.written()).isEqualTo(SIZE);
      assertThat(writer.digestSoFar()).isEqualTo(DESCRIPTOR.digest());
      writer.commit(DESCRIPTOR.digest(), SIZE);
      assertThat(store.blobs().readAll(DESCRIPTOR.digest(), SIZE)).isEqualTo(BLOB);
    }
  }

  @Test
  void pullBlob_intoAStoreWriter_wrongDigest_isRejectedBeforeTheCallerCommits(@TempDir Path tmp) throws Exception {
    byte[] tampered = BLOB.clone();
    tampered[1234] ^= 1;
    server.stubFor(get(PATH).willReturn(aResponse().withStatus(200).withBody(tampered)));
    try (Store store = Store.open(tmp.resolve("store")); RegistryClient client = client()) {
      try (BlobWriter writer = store.blobs().newWriter()) {
        assertThatThrownBy(() -> client.pullBlob(DESCRIPTOR, writer.stream(), writer))
            .isInstanceOf(RegistryProtocolException.class)
            .hasMessageContaining("does not match its digest")
            .hasCauseInstanceOf(DigestMismatchException.class);
      }
      assertThat(store.blobs().has(DESCRIPTOR.digest())).isFalse();
    }
  }

  /** A sha512 blob into a sha256 writer: the writer's hash cannot stand for the check, so the client hashes. */
  @Test
  void pullBlob_intoAWriterOfAnotherAlgorithm_stillVerifies(@TempDir Path tmp) throws Exception {
    Digest sha512 = Digest.parse("sha512:" + java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-512").digest(BLOB)));
    Descriptor d512 = new Descriptor(MediaType.OCI_LAYER_GZIP, sha512, SIZE);
    byte[] tampered = BLOB.clone();
    tampered[7] ^= 1;
    server.stubFor(get("/v2/hello/blobs/" + sha512).willReturn(aResponse().withStatus(200).withBody(tampered)));
    try (Store store = Store.open(tmp.resolve("store")); RegistryClient client = client();
        BlobWriter writer = store.blobs().newWriter()) {
      assertThat(writer.algorithm()).isEqualTo(Digest.SHA256);
      assertThatThrownBy(() -> client.pullBlob(d512, writer.stream(), writer))
          .isInstanceOf(RegistryProtocolException.class)
          .hasCauseInstanceOf(DigestMismatchException.class);
    }
  }
}

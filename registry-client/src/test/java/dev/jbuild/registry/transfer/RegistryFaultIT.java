package dev.jbuild.registry.transfer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.CredentialSource;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryProtocolException;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected by WireMock standing in front of a real docker-registry (Basic auth, so every proxied request
 * carries credentials): everything not stubbed is proxied through, so the image really comes from and goes to
 * the registry, and the faults sit exactly where a test puts them.
 */
class RegistryFaultIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.withBasicAuth("fay", "fault-pass");

  /** Keeps the Host header, so the upload locations the registry builds point back through the proxy. */
  @RegisterExtension
  static WireMockExtension proxy = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().preserveHostHeader(true)).build();

  /** A second host: blob storage a redirect points at, recording every header it gets. */
  @RegisterExtension
  static WireMockExtension storage = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path temp;

  private String proxyHost() {
    return "localhost:" + proxy.getPort();
  }

  private RegistryClientSettings settings() {
    return RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.of(proxyHost(), "fay", "fault-pass")
            .orElse(CredentialSource.of(registry.host(), "fay", "fault-pass")))
        .withRetryTiming(Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofMillis(10));
  }

  @BeforeEach
  void proxyEverything() {
    proxy.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().proxiedFrom(registry.url())));
  }

  /** Pushes busybox straight to the registry (no proxy) and returns its manifest as stored there. */
  private Manifest pushDirect(String repo) throws Exception {
    try (Store store = Store.open(temp.resolve("src-" + repo.replace('/', '-')))) {
      Descriptor local = BaseImages.busybox(store, "busybox:1");
      new ImageTransfer(store, settings(), null).push(local, ImageReference.parse(registry.host() + "/" + repo));
      return OciJson.readManifest(store.blobs().readAll(local.digest(), 1 << 20));
    }
  }

  private ImageReference viaProxy(String repo) throws Exception {
    return ImageReference.parse(proxyHost() + "/" + repo);
  }

  private static byte[] blobBytes(Path storeRoot, Descriptor d) throws Exception {
    try (Store store = Store.open(storeRoot)) {
      return store.blobs().readAll(d.digest(), 64 << 20);
    }
  }

  @Test
  void pull_layerGetFails503Then502_retriesAndStoresAValidImage() throws Exception {
    Manifest m = pushDirect("faults/5xx");
    String layerPath = "/v2/faults/5xx/blobs/" + m.layers().get(0).digest();
    proxy.stubFor(get(layerPath).inScenario("5xx").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("one"));
    proxy.stubFor(get(layerPath).inScenario("5xx").whenScenarioStateIs("one")
        .willReturn(aResponse().withStatus(502)).willSetStateTo("two"));
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null)
          .pull(viaProxy("faults/5xx:latest"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
    proxy.verify(3, getRequestedFor(urlPathEqualTo(layerPath)));
  }

  @Test
  void pull_connectionBreaksHalfwayThroughTheLayer_resumesWithRange() throws Exception {
    Manifest m = pushDirect("faults/reset");
    Descriptor layer = m.layers().get(0);
    // The pushed gzip layer is in the registry; fetch its bytes through the registry to cut them in half.
    byte[] full = fetch(layer, "faults/reset");
    String layerPath = "/v2/faults/reset/blobs/" + layer.digest();
    proxy.stubFor(get(layerPath).withHeader("Range", absent()).willReturn(aResponse()
        .withHeader("Content-Length", String.valueOf(full.length)).withBody(Arrays.copyOf(full, full.length / 2))));
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null)
          .pull(viaProxy("faults/reset:latest"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
    proxy.verify(getRequestedFor(urlPathEqualTo(layerPath)).withHeader("Range", equalTo("bytes=" + full.length / 2 + "-")));
  }

  @Test
  void pull_serverIgnoresRangeOnResume_stillStoresTheExactLayer() throws Exception {
    Manifest m = pushDirect("faults/norange");
    Descriptor layer = m.layers().get(0);
    byte[] full = fetch(layer, "faults/norange");
    String layerPath = "/v2/faults/norange/blobs/" + layer.digest();
    proxy.stubFor(get(layerPath).withHeader("Range", absent()).willReturn(aResponse()
        .withHeader("Content-Length", String.valueOf(full.length)).withBody(Arrays.copyOf(full, 1000))));
    proxy.stubFor(get(layerPath).withHeader("Range", equalTo("bytes=1000-"))
        .willReturn(aResponse().withStatus(200).withBody(full)));
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null)
          .pull(viaProxy("faults/norange:latest"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
      assertThat(store.blobs().readAll(layer.digest(), 64 << 20)).isEqualTo(full);
    }
  }

  @Test
  void pull_layerRedirectedToStorageHost_sendsNoAuthorizationThere() throws Exception {
    Manifest m = pushDirect("faults/redirect");
    Descriptor layer = m.layers().get(0);
    byte[] full = fetch(layer, "faults/redirect");
    storage.stubFor(get(urlPathMatching("/bucket/.*")).willReturn(aResponse().withBody(full)));
    proxy.stubFor(get("/v2/faults/redirect/blobs/" + layer.digest()).willReturn(aResponse().withStatus(307)
        .withHeader("Location", storage.baseUrl() + "/bucket/layer?X-Amz-Signature=abc")));
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null)
          .pull(viaProxy("faults/redirect:latest"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
    List<LoggedRequest> seen = storage.findAll(getRequestedFor(urlPathMatching("/bucket/.*")));
    assertThat(seen).isNotEmpty();
    assertThat(seen).allSatisfy(r -> assertThat(r.containsHeader("Authorization")).isFalse());
  }

  @Test
  void pull_layerBytesReplaced_failsAndStoresNothing() throws Exception {
    Manifest m = pushDirect("faults/evil");
    Descriptor layer = m.layers().get(0);
    byte[] evil = fetch(layer, "faults/evil");
    evil[evil.length / 2] ^= 1;
    proxy.stubFor(get("/v2/faults/evil/blobs/" + layer.digest()).willReturn(aResponse().withBody(evil)));
    Path root = temp.resolve("dest");
    try (Store store = Store.open(root)) {
      assertThatThrownBy(() -> new ImageTransfer(store, settings(), null)
          .pull(viaProxy("faults/evil:latest"), Platform.host()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasCauseInstanceOf(DigestMismatchException.class)
          .hasMessageContaining(layer.digest().toString());
      assertThat(store.blobs().has(layer.digest())).isFalse();
      assertThat(store.images().list()).isEmpty();
    }
  }

  @Test
  void push_connectionResetOnTheUploadPut_restartsFromPostAndLands() throws Exception {
    proxy.stubFor(put(urlPathMatching("/v2/faults/pushreset/blobs/uploads/.*")).inScenario("reset")
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("done"));
    Descriptor local;
    try (Store store = Store.open(temp.resolve("src"))) {
      local = plainImage(store);
      new ImageTransfer(store, settings(), null).push(local, viaProxy("faults/pushreset:1"), MediaType.Compression.ZSTD);
    }
    int posts = proxy.findAll(postRequestedFor(urlPathEqualTo("/v2/faults/pushreset/blobs/uploads/"))).size();
    assertThat(posts).isGreaterThanOrEqualTo(4); // the reset layer twice (restart), the other layer and config once
    try (Store store = Store.open(temp.resolve("check"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null)
          .pull(ImageReference.parse(registry.host() + "/faults/pushreset:1"), Platform.host());
      // The pull checked every zstd layer against its diffID; the stored manifest is the pushed one.
      Manifest stored = OciJson.readManifest(store.blobs().readAll(pulled.stored().digest(), 1 << 20));
      assertThat(stored.layers()).hasSize(2).allMatch(l -> l.mediaType().equals(MediaType.OCI_LAYER_ZSTD));
    }
  }

  @Test
  void push_manifestPutFails500Then503_retriesAndLands() throws Exception {
    proxy.stubFor(put(urlPathMatching("/v2/faults/manifest5xx/manifests/.*")).inScenario("m")
        .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(500)).willSetStateTo("one"));
    proxy.stubFor(put(urlPathMatching("/v2/faults/manifest5xx/manifests/.*")).inScenario("m")
        .whenScenarioStateIs("one").willReturn(aResponse().withStatus(503)).willSetStateTo("two"));
    try (Store store = Store.open(temp.resolve("src"))) {
      Descriptor local = plainImage(store);
      dev.jbuild.oci.Digest pushed = new ImageTransfer(store, settings(), null)
          .push(local, viaProxy("faults/manifest5xx:1"), MediaType.Compression.ZSTD);
      try (var client = dev.jbuild.registry.RegistryClient.create(settings(), registry.host(), "faults/manifest5xx")) {
        assertThat(client.pullManifest("1").digest()).isEqualTo(pushed);
      }
    }
  }

  /**
   * An image with uncompressed layers, pushed with zstd through the proxy: WireMock gunzips request bodies that
   * look like gzip before proxying them, which would corrupt a gzip layer upload on its way to the registry.
   */
  private Descriptor plainImage(Store store) throws Exception {
    return SyntheticImages.write(store, "plain:1", Platform.host(), 2, 300_000, 11, temp);
  }

  private byte[] fetch(Descriptor blob, String repo) throws Exception {
    try (var client = dev.jbuild.registry.RegistryClient.create(settings(), registry.host(), repo)) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      client.pullBlob(blob, out);
      return out.toByteArray();
    }
  }
}

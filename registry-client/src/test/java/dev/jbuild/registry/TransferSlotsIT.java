package dev.jbuild.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.registry.transfer.SyntheticImages;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * K12: concurrent layer transfers hold at most {@code parallelTransfers} slots, and a transfer whose body is never
 * read to its end (broken mid-way, or abandoned when another layer fails) releases its slot, so the next layers
 * and the next pull proceed. A slot is counted from sending a blob GET until its response is released, by the
 * test transport; the image lives in a real docker-registry, WireMock in front of it injects the faults and
 * delays every blob answer a little so that the two slots really overlap.
 */
@Timeout(120) // a slot that is never released shows up as a pull that never ends
class TransferSlotsIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  @RegisterExtension
  static WireMockExtension proxy = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path temp;

  private final JdkHttpTransport transport = new JdkHttpTransport();

  @BeforeEach
  void proxyEverything() {
    proxy.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().proxiedFrom(registry.url())));
    proxy.stubFor(get(urlPathMatching("/v2/.*/blobs/.*")).atPriority(90)
        .willReturn(aResponse().proxiedFrom(registry.url()).withFixedDelay(150)));
  }

  private RegistryClientSettings settings() {
    return RegistryClientSettings.defaults().withTransport(transport).withParallelTransfers(2)
        .withRetryTiming(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofMillis(10));
  }

  private ImageReference viaProxy(String path) throws Exception {
    return ImageReference.parse("localhost:" + proxy.getPort() + "/" + path);
  }

  /** Pushes a six-layer image straight to the registry and returns its manifest. */
  private Manifest sixLayers(String repository) throws Exception {
    try (Store store = Store.open(temp.resolve("source-" + repository.replace('/', '-')))) {
      Descriptor local = SyntheticImages.write(store, "six:1", Platform.host(), 6, 150_000, 12, temp);
      new ImageTransfer(store, RegistryClientSettings.defaults(), null)
          .push(local, ImageReference.parse(registry.host() + "/" + repository + ":1"));
    }
    try (RegistryClient client = RegistryClient.create(RegistryClientSettings.defaults(), registry.host(), repository)) {
      return OciJson.readManifest(client.pullManifest("1").bytes());
    }
  }

  private static String blobPath(String repository, Descriptor blob) {
    return "/v2/" + repository + "/blobs/" + blob.digest();
  }

  private static Stream<String> diffIdThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("jbuild-diffid-"));
  }

  @Test
  void pull_twoSlotsSixLayers_bodiesBrokenMidWayReleaseTheirSlotsAndEveryLayerArrives() throws Exception {
    Manifest m = sixLayers("slots/broken");
    for (int i : new int[] {0, 3}) {
      // The status line and headers arrive, then the body breaks: it is never read to its end.
      String path = blobPath("slots/broken", m.layers().get(i));
      proxy.stubFor(get(urlPathEqualTo(path)).atPriority(1).inScenario("broken" + i)
          .whenScenarioStateIs(Scenario.STARTED)
          .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)).willSetStateTo("healed"));
    }
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, settings(), null)
          .pull(viaProxy("slots/broken:1"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
    // Six layers plus the two broken attempts went through two slots, and every response was released.
    int layerGets = 0;
    for (Descriptor layer : m.layers()) {
      layerGets += proxy.findAll(getRequestedFor(urlPathEqualTo(blobPath("slots/broken", layer)))).size();
    }
    assertThat(layerGets).isEqualTo(8);
    assertThat(transport.blobGetsMax.get()).isEqualTo(2);
    assertThat(transport.blobGetsOpen.get()).isZero();
    assertThat(diffIdThreads()).isEmpty();
  }

  @Test
  void pull_oneLayerFailsForGood_everySlotIsReleasedAndTheNextPullProceeds() throws Exception {
    Manifest m = sixLayers("slots/failing");
    Descriptor bad = m.layers().get(1);
    ByteArrayOutputStream real = new ByteArrayOutputStream();
    try (RegistryClient client = RegistryClient.create(RegistryClientSettings.defaults(), registry.host(), "slots/failing")) {
      client.pullBlob(bad, real);
    }
    byte[] evil = real.toByteArray();
    evil[evil.length / 2] ^= 1;
    StubMapping corrupt = proxy.stubFor(get(urlPathEqualTo(blobPath("slots/failing", bad))).atPriority(1)
        .willReturn(aResponse().withBody(evil)));
    Path root = temp.resolve("dest");
    try (Store store = Store.open(root)) {
      ImageTransfer transfer = new ImageTransfer(store, settings(), null);
      assertThatThrownBy(() -> transfer.pull(viaProxy("slots/failing:1"), Platform.host()))
          .isInstanceOf(RegistryProtocolException.class)
          .hasCauseInstanceOf(DigestMismatchException.class)
          .hasMessageContaining(bad.digest().toString());
      // The failed transfer and the ones cancelled with it hold nothing: no response, no worker, no temp file.
      assertThat(transport.blobGetsOpen.get()).isZero();
      assertThat(diffIdThreads()).isEmpty();
      try (Stream<Path> left = Files.list(root.resolve("tmp"))) {
        assertThat(left).noneMatch(p -> p.getFileName().toString().startsWith("ingest-"));
      }
      assertThat(store.blobs().has(bad.digest())).isFalse();

      proxy.removeStub(corrupt);
      transport.blobGetsMax.set(0);
      ImageTransfer.PullResult pulled = transfer.pull(viaProxy("slots/failing:1"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
    assertThat(transport.blobGetsMax.get()).isEqualTo(2);
    assertThat(transport.blobGetsOpen.get()).isZero();
  }
}

package dev.jbuild.registry.transfer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.CredentialSource;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.store.Store;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** C08: a foreign layer's URL is never fetched, so its 401 challenge can never be answered with credentials. */
class ForeignLayerTest {
  @RegisterExtension
  static WireMockExtension registry = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @RegisterExtension
  static WireMockExtension foreign = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path temp;

  @Test
  void pull_manifestWithForeignLayer_refusesWithoutContactingTheForeignHost() throws Exception {
    FakeImage image = FakeImage.create(Platform.host(), 1, 1000, 3);
    Descriptor layer = image.layers().get(0);
    Descriptor foreignLayer = new Descriptor(MediaType.DOCKER_FOREIGN_LAYER_GZIP, layer.digest(), layer.size(), null,
        null, List.of(foreign.baseUrl() + "/layer.tar.gz"), null);
    byte[] manifest = OciJson.write(Manifest.oci(image.config(), List.of(foreignLayer)));
    registry.stubFor(get("/v2/app/manifests/1").willReturn(aResponse()
        .withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(manifest)));
    registry.stubFor(get("/v2/app/blobs/" + image.config().digest())
        .willReturn(aResponse().withBody(image.blobs().get(image.config().digest()))));
    foreign.stubFor(get(urlPathMatching(".*")).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"" + foreign.baseUrl() + "/token\"")));
    RegistryClientSettings settings = RegistryClientSettings.defaults()
        .withCredentials(CredentialSource.of("localhost:" + registry.getPort(), "u", "secret"));
    try (Store store = Store.open(temp)) {
      assertThatThrownBy(() -> new ImageTransfer(store, settings, null)
          .pull(ImageReference.parse("localhost:" + registry.getPort() + "/app:1"), Platform.host()))
          .isInstanceOf(OciException.class)
          .hasMessageContaining("foreign layer");
      assertThat(store.images().list()).isEmpty();
    }
    assertThat(foreign.findAll(anyRequestedFor(urlPathMatching(".*")))).isEmpty();
  }
}

package dev.jbuild.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validator must pass a good image and name each kind of damage; otherwise tests relying on it prove nothing. */
class ImageValidatorTest {
  @TempDir Path tmp;
  private Store store;
  private Descriptor image;

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(tmp.resolve("store"));
    image = BaseImages.busybox(store, "busybox:1");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private Manifest manifest() throws Exception {
    return OciJson.readManifest(store.blobs().readAll(image.digest(), 1 << 20));
  }

  @Test
  void validate_fixtureImage_hasNoProblems() {
    assertThat(ImageValidator.problems(store.blobs(), image)).isEmpty();
  }

  @Test
  void problems_bitFlippedLayer_reportsDigestAndDiffId() throws Exception {
    Path layer = store.blobs().path(manifest().layers().get(0).digest());
    byte[] bytes = Files.readAllBytes(layer);
    bytes[bytes.length / 2] ^= 1;
    layer.toFile().setWritable(true);
    Files.write(layer, bytes);
    assertThat(ImageValidator.problems(store.blobs(), image)).isNotEmpty()
        .anySatisfy(p -> assertThat(p).contains("layer 0"));
  }

  @Test
  void problems_wrongDiffId_isReported() throws Exception {
    Manifest m = manifest();
    ImageConfig c = OciJson.readConfig(store.blobs().readAll(m.config().digest(), 1 << 20));
    ImageConfig bad = new ImageConfig(c.created(), c.author(), c.architecture(), c.os(), c.variant(), c.osVersion(),
        c.config(), List.of(dev.jbuild.oci.Digest.sha256Of(new byte[] {1})), c.history());
    Descriptor config = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(bad));
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(config, m.layers())));
    assertThat(ImageValidator.problems(store.blobs(), manifest))
        .anySatisfy(p -> assertThat(p).contains("uncompressed content hashes to").contains("diff_ids[0]"));
  }

  @Test
  void problems_wrongSizeAndMediaType_areReported() throws Exception {
    Manifest m = manifest();
    Descriptor layer = m.layers().get(0);
    Descriptor wrong = new Descriptor(MediaType.DOCKER_LAYER_GZIP, layer.digest(), layer.size() + 1);
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST,
        OciJson.write(Manifest.oci(m.config(), List.of(wrong))));
    assertThat(ImageValidator.problems(store.blobs(), manifest))
        .anySatisfy(p -> assertThat(p).contains("size"))
        .anySatisfy(p -> assertThat(p).contains("in a OCI manifest"));
  }

  @Test
  void problems_mediaTypeThatContradictsTheBytes_isReported() throws Exception {
    Manifest m = manifest();
    Descriptor layer = m.layers().get(0).withMediaType(MediaType.OCI_LAYER);
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST,
        OciJson.write(Manifest.oci(m.config(), List.of(layer))));
    assertThat(ImageValidator.problems(store.blobs(), manifest))
        .contains("layer 0 " + layer.digest() + ": media type says NONE but the blob is GZIP");
  }

  @Test
  void problems_missingConfig_isReported() throws Exception {
    Manifest m = manifest();
    Descriptor missing = new Descriptor(MediaType.OCI_CONFIG, dev.jbuild.oci.Digest.sha256Of(new byte[] {9}), 1);
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(missing, m.layers())));
    assertThat(ImageValidator.problems(store.blobs(), manifest))
        .anySatisfy(p -> assertThat(p).contains("config").contains("missing"));
  }

  @Test
  void busyboxLayer_holdsTheBinaryAndUsers() throws Exception {
    byte[] tar = BaseImages.busyboxLayerTar();
    String text = new String(tar, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).contains("bin/busybox", "etc/passwd", "app:x:1000:1000");
  }
}

package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group M of the security cases, for manifests and configs already in the store: reading an image never trusts
 * them, and each kind of lie gets a clean error instead of a wrong image, an NPE or an out-of-bounds index.
 */
class StoredImagesHostileTest {
  private static final Platform AMD64 = Platform.of("linux", "amd64");

  @TempDir Path tmp;
  private Store store;
  private Descriptor config;
  private Descriptor layer;

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(tmp.resolve("store"));
    config = store.blobs().put(MediaType.OCI_CONFIG, json("{'architecture':'amd64','os':'linux',"
        + "'rootfs':{'type':'layers','diff_ids':['" + Digest.sha256Of(new byte[] {1}) + "']}}"));
    layer = store.blobs().put(MediaType.OCI_LAYER, new byte[] {1});
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private String desc(Descriptor d) {
    return "{'mediaType':'" + d.mediaType() + "','digest':'" + d.digest() + "','size':" + d.size() + "}";
  }

  private Descriptor manifest(String body) throws Exception {
    return store.blobs().put(MediaType.OCI_MANIFEST, json(body));
  }

  @Test
  void read_M01_manifestWithManifestsField_isRejected() throws Exception {
    Descriptor m = manifest("{'schemaVersion':2,'config':" + desc(config) + ",'layers':[" + desc(layer)
        + "],'manifests':[]}");
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), m, AMD64, "x"))
        .isInstanceOf(MalformedContentException.class).hasMessageContaining("forbidden 'manifests'");
  }

  @Test
  void read_M02_indexWithLayers_isRejected() throws Exception {
    Descriptor index = store.blobs().put(MediaType.OCI_INDEX, json("{'schemaVersion':2,'manifests':[],'layers':[]}"));
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), index, AMD64, "x"))
        .hasMessageContaining("forbidden 'config' or 'layers'");
  }

  @Test
  void read_M03_indexServedAsManifest_isRejected() throws Exception {
    byte[] body = json("{'schemaVersion':2,'mediaType':'" + MediaType.OCI_INDEX + "','manifests':[]}");
    Descriptor d = store.blobs().put(MediaType.OCI_MANIFEST, body);
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), d, AMD64, "x")).isInstanceOf(OciException.class);
  }

  @Test
  void read_M05_duplicateKeys_areRejected() throws Exception {
    Descriptor m = manifest("{'schemaVersion':2,'config':" + desc(config) + ",'layers':[],'layers':[" + desc(layer)
        + "]}");
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), m, AMD64, "x")).hasMessageContaining("Duplicate field");
  }

  @Test
  void read_M06_hugeConfig_stopsAtTheCap() throws Exception {
    byte[] huge = new byte[5 << 20];
    java.util.Arrays.fill(huge, (byte) ' ');
    Descriptor big = store.blobs().put(MediaType.OCI_CONFIG, huge);
    Descriptor m = manifest("{'schemaVersion':2,'config':" + desc(big) + ",'layers':[]}");
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), m, AMD64, "x")).isInstanceOf(StoreException.class);
  }

  @Test
  void read_M07_hostileDigestInADescriptor_neverReachesTheFilesystem() throws Exception {
    Descriptor m = manifest("{'schemaVersion':2,'config':{'mediaType':'x','digest':'sha256:../../../etc/passwd',"
        + "'size':1},'layers':[]}");
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), m, AMD64, "x")).hasMessageContaining("invalid digest");
  }

  @Test
  void read_M12_diffIdCountDisagreesWithLayers_isACleanError() throws Exception {
    Descriptor m = manifest("{'schemaVersion':2,'config':" + desc(config) + ",'layers':[]}");
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), m, AMD64, "img:1"))
        .isInstanceOf(OciException.class).hasMessageContaining("img:1").hasMessageContaining("diff_ids");
    Descriptor nullConfig = manifest("{'schemaVersion':2,'config':null,'layers':[]}");
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), nullConfig, AMD64, "x"))
        .hasMessageContaining("missing 'config'");
  }

  @Test
  void read_indexWithoutThePlatform_namesIt() throws Exception {
    Descriptor m = manifest("{'schemaVersion':2,'config':" + desc(config) + ",'layers':[" + desc(layer) + "]}");
    Descriptor index = store.blobs().put(MediaType.OCI_INDEX, json("{'schemaVersion':2,'manifests':[{'mediaType':'"
        + m.mediaType() + "','digest':'" + m.digest() + "','size':" + m.size()
        + ",'platform':{'os':'linux','architecture':'arm64'}}]}"));
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), index, AMD64, "multi:1"))
        .hasMessage("image multi:1 has no manifest for platform linux/amd64");
    assertThat(StoredImages.read(store.blobs(), index, Platform.of("linux", "arm64"), "multi:1").manifest().layers())
        .hasSize(1);
  }

  @Test
  void read_M17_blobThatIsASymlink_isNotTrusted() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "{}");
    Digest fake = Digest.sha256Of("{}".getBytes(StandardCharsets.UTF_8));
    Files.createSymbolicLink(store.blobs().path(fake), secret);
    Descriptor d = new Descriptor(MediaType.OCI_MANIFEST, fake, 2);
    assertThatThrownBy(() -> StoredImages.read(store.blobs(), d, AMD64, "x")).isInstanceOf(StoreException.class);
  }
}

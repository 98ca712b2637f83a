package dev.jbuild.store.admin;

import static dev.jbuild.store.admin.StoreGcTest.configOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import dev.jbuild.store.TaggedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRemoverTest {
  @TempDir Path dir;
  Store store;
  TestImages t;
  ImageRemover rmi;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir.resolve("store"), Duration.ZERO);
    t = new TestImages(store);
    rmi = new ImageRemover(store, ImageUsers.NONE);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void removeTag_imageHasAnotherTag_onlyUntags() throws Exception {
    Descriptor m = t.image("app:1", t.plain("x"));
    store.images().tag("app:latest", m);
    Set<Digest> before = store.blobs().list();

    Removal r = rmi.removeTag("app:1", false);

    assertThat(r.untagged()).containsExactly("app:1");
    assertThat(r.deleted()).isEmpty();
    assertThat(store.blobs().list()).isEqualTo(before);
    assertThat(store.images().list()).extracting(TaggedImage::name).containsExactly("app:latest");
  }

  @Test
  void removeTag_lastTag_deletesTheImageButKeepsSharedLayers() throws Exception {
    TestImages.Layer shared = t.plain("base");
    TestImages.Layer own = t.plain("own");
    Descriptor keep = t.image("keep:1", shared);
    Descriptor gone = t.image("gone:1", shared, own);
    Digest goneConfig = configOf(store, gone);
    long bytes = gone.size() + store.blobs().size(goneConfig) + own.blob().size();

    Removal r = rmi.removeTag("gone:1", false);

    assertThat(r.untagged()).containsExactly("gone:1");
    assertThat(r.deleted()).containsExactly(gone.digest(), goneConfig, own.blob().digest());
    assertThat(r.bytesFreed()).isEqualTo(bytes);
    assertThat(store.blobs().list()).containsExactlyInAnyOrder(
        keep.digest(), configOf(store, keep), shared.blob().digest());
  }

  @Test
  void removeTag_lastTag_alsoDropsItsCompressionRecordAndSnapshot() throws Exception {
    TestImages.Layer layer = t.plain("layer");
    t.image("app:1", layer);
    TestImages.Layer copy = t.gzip("layer");
    store.compression().record(layer.diffId(), MediaType.Compression.GZIP, copy.blob());
    Path snapshot = Files.createDirectories(dir.resolve("store/snapshots/sha256").resolve(layer.diffId().hex())
        .resolve("rootfs"));

    Removal r = rmi.removeTag("app:1", false);

    assertThat(r.deleted()).contains(layer.blob().digest(), copy.blob().digest());
    assertThat(snapshot.getParent()).doesNotExist();
    assertThat(dir.resolve("store/compression/sha256").resolve(layer.diffId().hex())).doesNotExist();
  }

  @Test
  void removeImage_namesInTwoRepositories_needsForce() throws Exception {
    TestImages.Layer layer = t.plain("x");
    Descriptor m = t.image("app:1", layer);
    store.images().tag("mirror/app:1", m);

    assertThatThrownBy(() -> rmi.removeImage(m.digest(), false))
        .isInstanceOf(ImageConflictException.class)
        .hasMessage("conflict: unable to delete " + m.digest().shortHex()
            + " (must be forced) - image is referenced in multiple repositories: app:1, mirror/app:1");
    assertThat(store.images().list()).hasSize(2);
    assertThat(store.blobs().has(layer.blob().digest())).isTrue();

    Removal r = rmi.removeImage(m.digest(), true);

    assertThat(r.untagged()).containsExactly("app:1", "mirror/app:1");
    assertThat(r.deleted()).contains(m.digest(), layer.blob().digest());
    assertThat(store.images().entries()).isEmpty();
  }

  @Test
  void removeImage_twoTagsOfOneRepository_removesBothWithoutForce() throws Exception {
    Descriptor m = t.image("app:1", t.plain("x"));
    store.images().tag("app:latest", m);

    Removal r = rmi.removeImage(m.digest(), false);

    assertThat(r.untagged()).containsExactly("app:1", "app:latest");
    assertThat(store.blobs().has(m.digest())).isFalse();
  }

  @Test
  void removeTag_imageUsedByAContainer_refusedAndForceKeepsItsBlobs() throws Exception {
    TestImages.Layer layer = t.plain("x");
    Descriptor m = t.image("app:1", layer);
    ImageRemover guarded = new ImageRemover(store, () -> Set.of(m.digest()));

    assertThatThrownBy(() -> guarded.removeTag("app:1", false))
        .isInstanceOf(ImageConflictException.class)
        .hasMessageContaining("\"app:1\"")
        .hasMessageContaining("being used by a running container");
    assertThat(store.images().resolve("app:1")).isPresent();

    Removal r = guarded.removeTag("app:1", true);

    assertThat(r.untagged()).containsExactly("app:1");
    assertThat(r.deleted()).isEmpty();
    assertThat(r.keptBecause()).contains("running container");
    assertThat(store.blobs().has(layer.blob().digest())).isTrue();
  }

  @Test
  void findImage_prefix_resolvesUniqueAndRejectsAmbiguous() throws Exception {
    Descriptor a = t.image("a:1", t.plain("a"));
    Descriptor b = t.image("b:1", t.plain("b"));

    assertThat(rmi.findImage(a.digest().shortHex())).contains(a.digest());
    assertThat(rmi.findImage("sha256:" + b.digest().hex())).contains(b.digest());
    assertThat(rmi.findImage("app")).isEmpty(); // not hex: a name, not an ID
    assertThat(rmi.findImage("")).isEmpty();
    String common = commonPrefix(a.digest().hex(), b.digest().hex());
    if (!common.isEmpty()) {
      assertThatThrownBy(() -> rmi.findImage(common)).isInstanceOf(ImageConflictException.class)
          .hasMessageContaining("ambiguous");
    }
  }

  private static String commonPrefix(String x, String y) {
    int i = 0;
    while (i < x.length() && x.charAt(i) == y.charAt(i)) {
      i++;
    }
    return x.substring(0, i);
  }

  @Test
  void removeTag_unknownName_failsNamingIt() {
    assertThatThrownBy(() -> rmi.removeTag("nosuch:1", false))
        .isInstanceOf(NoSuchImageException.class)
        .hasMessage("no such image: nosuch:1");
  }

  @Test
  void repository_ofStoredNames() {
    assertThat(ImageRemover.repository("app:1")).isEqualTo("app");
    assertThat(ImageRemover.repository("localhost:5000/app:1")).isEqualTo("localhost:5000/app");
    assertThat(ImageRemover.repository("localhost:5000/app")).isEqualTo("localhost:5000/app");
    assertThat(ImageRemover.repository("app@sha256:" + "a".repeat(64))).isEqualTo("app");
  }
}

package dev.jbuild.store.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskUsageTest {
  @TempDir Path dir;
  Store store;
  TestImages t;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir, Duration.ZERO);
    t = new TestImages(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void measure_countsEachCategoryAndWhatPruneWouldFree() throws Exception {
    TestImages.Layer shared = t.plain("shared-12345");
    Descriptor tagged = t.image("app:1", shared);
    store.images().tag("app:latest", tagged);
    TestImages.Layer dangling = t.plain("dangling-1234567");
    Descriptor untagged = t.image(null, shared, dangling);
    t.addUntagged(untagged);
    TestImages.Layer orphan = t.plain("orphan");
    Path snap = Files.createDirectories(dir.resolve("snapshots/sha256").resolve(shared.diffId().hex())
        .resolve("rootfs"));
    Files.writeString(snap.resolve("f"), "123");
    Digest deadId = Digest.sha256Of(new byte[] {9});
    Files.createDirectories(dir.resolve("snapshots/sha256").resolve(deadId.hex()).resolve("rootfs"));
    Files.writeString(dir.resolve("snapshots/sha256").resolve(deadId.hex()).resolve("rootfs/g"), "12345");
    Files.createDirectories(dir.resolve("cache"));
    Files.writeString(dir.resolve("cache/entry"), "1234567");

    DiskUsage.Report r = new DiskUsage(store).measure();

    long all = 0;
    for (Digest d : store.blobs().list()) {
      all += store.blobs().size(d);
    }
    long untaggedOnly = untagged.size() + store.blobs().size(StoreGcTest.configOf(store, untagged))
        + dangling.blob().size();
    assertThat(r.tags()).isEqualTo(2);
    assertThat(r.categories()).containsExactly(
        new DiskUsage.Category("Images", 2, 1, all - orphan.blob().size(), untaggedOnly),
        new DiskUsage.Category("Blobs", store.blobs().list().size(), store.blobs().list().size() - 1, all,
            orphan.blob().size()),
        new DiskUsage.Category("Snapshots", 2, 1, 8, 5),
        new DiskUsage.Category("Build cache", 1, 0, 7, 7),
        new DiskUsage.Category("Temp files", 0, 0, 0, 0));
  }
}

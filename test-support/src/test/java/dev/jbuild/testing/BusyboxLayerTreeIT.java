package dev.jbuild.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.store.layers.LayerTrees;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The busybox fixture's real gzip layer, extracted through LayerTrees as an overlay lower dir. */
class BusyboxLayerTreeIT {
  @TempDir Path dir;

  @Test
  void ensure_busyboxLayer_givesARunnableTree() throws Exception {
    try (Store store = Store.open(dir.resolve("store"), Duration.ZERO)) {
      Descriptor manifestBlob = BaseImages.busybox(store, "busybox:1");
      Manifest manifest = OciJson.readManifest(store.blobs().readAll(manifestBlob.digest(), 1 << 20));
      ImageConfig config = OciJson.readConfig(store.blobs().readAll(manifest.config().digest(), 1 << 20));

      Path rootfs = LayerTrees.of(store).ensure(manifest.layers().get(0), config.diffIds().get(0));

      Path busybox = rootfs.resolve("bin/busybox");
      assertThat(busybox).isRegularFile().isExecutable();
      assertThat(Files.size(busybox)).isEqualTo(Files.size(BaseImages.BUSYBOX));
      assertThat(Files.isSymbolicLink(rootfs.resolve("bin/sh"))).isTrue();
      assertThat(Files.readSymbolicLink(rootfs.resolve("bin/sh"))).hasToString("busybox");
      assertThat(Files.getAttribute(rootfs.resolve("tmp"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(041777);
      if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0) {
        assertThat(Files.getAttribute(rootfs.resolve("home/app"), "unix:uid")).isEqualTo(1000);
      }
      // Byte for byte the host's busybox-static the fixture was made from (never executed from the tree: X07).
      assertThat(Files.mismatch(busybox, BaseImages.BUSYBOX)).isEqualTo(-1L);
    }
  }
}

package dev.jbuild.store.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsTest {
  @TempDir Path tmp;
  Store store;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(tmp.resolve("store"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Map<String, String> export(Descriptor image, boolean containerFiles) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RootfsExporter.export(store.blobs(), StoredImages.read(store.blobs(), image, Platform.host(), "x"),
        containerFiles, out);
    Map<String, String> files = new LinkedHashMap<>();
    for (String[] e : Tars.list(out.toByteArray())) {
      assertThat(files.put(e[0], e[1])).as("duplicate %s", e[0]).isNull();
    }
    return files;
  }

  @Test
  void export_whiteoutsOpaqueDirsAndReplacedDirs_areApplied() throws Exception {
    Images.Layer bottom = Images.layer(store, new Tars().dir("a").file("a/gone", "1").file("a/kept", "1")
        .dir("b").file("b/old", "1").dir("c").file("c/inside", "1").file("top", "old").bytes(),
        MediaType.Compression.GZIP);
    Images.Layer upper = Images.layer(store, new Tars().file("a/.wh.gone", "").dir("b")
        .file("b/.wh..wh..opq", "").file("b/new", "2").file("c", "now a file").file("top", "new").bytes(),
        MediaType.Compression.NONE);
    Map<String, String> files = export(Images.image(store, "x:1", bottom, upper), false);

    assertThat(files).containsEntry("top", "new").containsEntry("a/kept", "1").containsEntry("b/new", "2")
        .containsEntry("c", "now a file").doesNotContainKeys("a/gone", "b/old", "c/inside", "a/.wh.gone",
            "b/.wh..wh..opq", "c/");
    assertThat(files.keySet()).contains("a/", "b/");
  }

  @Test
  void export_hardlinkWhoseTargetWasOverwrittenAbove_keepsTheOriginalContent() throws Exception {
    Images.Layer bottom = Images.layer(store, new Tars().file("orig", "original").hardlink("link", "orig")
        .hardlink("link2", "orig").bytes(), MediaType.Compression.GZIP);
    Images.Layer upper = Images.layer(store, new Tars().file("orig", "replaced").bytes(), MediaType.Compression.NONE);
    Map<String, String> files = export(Images.image(store, "x:1", bottom, upper), false);

    assertThat(files).containsEntry("orig", "replaced").containsEntry("link", "original")
        .containsEntry("link2", "=> link");
  }

  @Test
  void export_hardlinkWithItsTargetInTheSameLayer_staysALink() throws Exception {
    Images.Layer only = Images.layer(store, new Tars().file("orig", "data").hardlink("link", "orig").bytes(),
        MediaType.Compression.NONE);
    assertThat(export(Images.image(store, "x:1", only), false)).containsEntry("link", "=> orig");
  }

  @Test
  void export_containerFiles_addsWhatDockersInitLayerAddsWhereMissing() throws Exception {
    Images.Layer only = Images.layer(store, new Tars().dir("etc").file("etc/hosts", "mine").bytes(),
        MediaType.Compression.NONE);
    Map<String, String> files = export(Images.image(store, "x:1", only), true);

    assertThat(files).containsEntry("etc/hosts", "mine").containsEntry(".dockerenv", "")
        .containsEntry("etc/mtab", "-> /proc/mounts").containsKeys("dev/", "proc/", "sys/", "etc/hostname");
  }

  @Test
  void export_layerWithDotDot_refused() throws Exception {
    Images.Layer evil = Images.layer(store, new Tars().file("../evil", "x").bytes(), MediaType.Compression.NONE);
    Descriptor image = Images.image(store, "x:1", evil);
    assertThatThrownBy(() -> export(image, false)).hasMessageContaining("has a .. component");
  }

  private Descriptor importTar(byte[] tar) throws Exception {
    return RootfsImporter.importRootfs(store.blobs(), new ByteArrayInputStream(tar),
        ImageConfig.scratch(Platform.of("linux", "amd64")),
        new ImageConfig.HistoryEntry(Images.TIME, null, null, "Imported from -", false), "tarball -");
  }

  @Test
  void import_rootfs_makesOneUncompressedLayerWithCleanedNames() throws Exception {
    byte[] rootfs = new Tars().dir("./").dir("./etc").file("./etc/passwd", "root:x:0:0").file("/abs", "a")
        .hardlink("./etc/link", "/etc/passwd").symlink("sh", "/bin/busybox").bytes();
    Descriptor m = importTar(rootfs);

    Manifest manifest = OciJson.readManifest(store.blobs().readAll(m.digest(), 1 << 20));
    assertThat(manifest.layers()).singleElement().extracting(Descriptor::mediaType).isEqualTo(MediaType.OCI_LAYER);
    ImageConfig config = OciJson.readConfig(store.blobs().readAll(manifest.config().digest(), 1 << 20));
    assertThat(config.diffIds()).containsExactly(manifest.layers().get(0).digest());
    assertThat(config.history()).singleElement().extracting(ImageConfig.HistoryEntry::comment)
        .isEqualTo("Imported from -");
    Map<String, String> files = new LinkedHashMap<>();
    for (String[] e : Tars.list(store.blobs().readAll(manifest.layers().get(0).digest(), 1 << 20))) {
      files.put(e[0], e[1]);
    }
    assertThat(files).containsExactly(Map.entry("etc/", "<dir>"), Map.entry("etc/passwd", "root:x:0:0"),
        Map.entry("abs", "a"), Map.entry("etc/link", "=> etc/passwd"), Map.entry("sh", "-> /bin/busybox"));
  }

  @Test
  void import_sameTarTwice_sameManifest() throws Exception {
    byte[] rootfs = new Tars().file("a", "1").bytes();
    assertThat(importTar(rootfs)).isEqualTo(importTar(rootfs));
  }

  @Test
  void import_entryWithDotDot_refusedAndNothingTagged() throws Exception {
    assertThatThrownBy(() -> importTar(new Tars().file("ok", "1").file("../../pwned", "x").bytes()))
        .isInstanceOf(ArchiveException.class).hasMessageContaining("entry \"../../pwned\" has a .. component");
    assertThatThrownBy(() -> importTar(new Tars().hardlink("l", "../../etc/shadow").bytes()))
        .hasMessageContaining("has a .. component");
    assertThat(store.images().entries()).isEmpty();
    assertThat(List.of(store.root().resolve("tmp").toFile().list())).isEmpty();
  }
}

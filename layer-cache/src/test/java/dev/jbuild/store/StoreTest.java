package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.OciJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @TempDir Path dir;

  @Test
  void open_newRoot_createsOciLayoutAndFolders() throws Exception {
    Path root = dir.resolve("a/b/store");
    try (Store store = Store.open(root)) {
      assertThat(store.root()).isEqualTo(root.toRealPath());
      assertThat(Files.readString(root.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
      assertThat(OciJson.readIndex(Files.readAllBytes(root.resolve("index.json"))).manifests()).isEmpty();
      for (String d : new String[] {"blobs/sha256", "tmp", "locks", "compression"}) {
        assertThat(root.resolve(d)).isDirectory();
      }
    }
  }

  @Test
  void open_existingStore_keepsIndexAndLayout() throws Exception {
    Path root = dir.resolve("store");
    try (Store store = Store.open(root)) {
      var d = store.blobs().put("application/vnd.oci.image.manifest.v1+json", "{}".getBytes(StandardCharsets.UTF_8));
      store.images().tag("keep:me", d);
    }
    try (Store store = Store.open(root)) {
      assertThat(store.images().resolve("keep:me")).isPresent();
    }
  }

  @Test
  void open_ociLayoutWithWrongVersion_throwsCorruptStoreException() throws Exception {
    Path root = dir.resolve("store");
    Files.createDirectories(root);
    Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"9.9\"}");

    assertThatThrownBy(() -> Store.open(root))
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("oci-layout")
        .hasMessageContaining("--repair");
  }

  @Test
  void open_rootIsAFile_throwsStoreException() throws Exception {
    Path root = dir.resolve("file");
    Files.writeString(root, "x");

    assertThatThrownBy(() -> Store.open(root)).isInstanceOf(StoreException.class).hasMessageContaining(root.toString());
  }

  @Test
  void defaultRoot_jbuildRootSet_overridesEverything() {
    assertThat(Store.defaultRoot(Map.of("JBUILD_ROOT", "/srv/jb", "XDG_DATA_HOME", "/x"), Path.of("/home/u"), true))
        .isEqualTo(Path.of("/srv/jb"));
  }

  @Test
  void defaultRoot_realRoot_usesVarLib() {
    assertThat(Store.defaultRoot(Map.of("XDG_DATA_HOME", "/x"), Path.of("/root"), true))
        .isEqualTo(Path.of("/var/lib/jbuild"));
  }

  @Test
  void defaultRoot_userWithXdg_usesXdgDataHome() {
    assertThat(Store.defaultRoot(Map.of("XDG_DATA_HOME", "/data"), Path.of("/home/u"), false))
        .isEqualTo(Path.of("/data/jbuild"));
  }

  @Test
  void defaultRoot_userWithoutOrRelativeXdg_usesLocalShare() {
    assertThat(Store.defaultRoot(Map.of(), Path.of("/home/u"), false))
        .isEqualTo(Path.of("/home/u/.local/share/jbuild"));
    assertThat(Store.defaultRoot(Map.of("XDG_DATA_HOME", "rel"), Path.of("/home/u"), false))
        .isEqualTo(Path.of("/home/u/.local/share/jbuild"));
  }
}

package dev.jbuild.registry.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.store.Store;
import dev.jbuild.store.layers.LayerTrees;
import dev.jbuild.testing.registry.RegistryExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pulls that unpack the layers they bring, as docker pull does, against a real docker-registry. */
class PullUnpackIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  @TempDir Path temp;

  private ImageReference ref(String path) throws Exception {
    return ImageReference.parse(registry.host() + "/" + path);
  }

  private List<Digest> pushSynthetic(String path, Platform platform, long seed) throws Exception {
    try (Store source = Store.open(temp.resolve("source-" + seed))) {
      Descriptor local = SyntheticImages.write(source, "img:1", platform, 3, 300_000, seed, temp);
      new ImageTransfer(source, RegistryClientSettings.defaults(), null).push(local, ref(path));
      return OciJson.readConfig(source.blobs().readAll(
          OciJson.readManifest(source.blobs().readAll(local.digest(), 1 << 20)).config().digest(), 1 << 20))
          .diffIds();
    }
  }

  @Test
  void pull_unpackingForTheHost_makesEveryLayerTree_withTheLayersFiles() throws Exception {
    List<Digest> diffIds = pushSynthetic("unpack/host:1", Platform.host(), 31);
    try (Store store = Store.open(temp.resolve("store"))) {
      new ImageTransfer(store, RegistryClientSettings.defaults(), null).unpackingFor(Platform.host())
          .pull(ref("unpack/host:1"), Platform.host());
      assertThat(LayerTrees.of(store).list()).containsExactlyInAnyOrderElementsOf(diffIds);
      for (int l = 0; l < diffIds.size(); l++) {
        Path tree = LayerTrees.of(store).find(diffIds.get(l)).orElseThrow();
        try (Stream<Path> files = Files.list(tree.resolve("data"))) {
          assertThat(files.map(p -> p.getFileName().toString())).containsExactly("l" + l + "-f0");
        }
      }
    }
  }

  @Test
  void pull_withoutUnpacking_leavesTheTreesToFirstUse() throws Exception {
    pushSynthetic("unpack/lazy:1", Platform.host(), 32);
    try (Store store = Store.open(temp.resolve("store"))) {
      new ImageTransfer(store, RegistryClientSettings.defaults(), null).pull(ref("unpack/lazy:1"), Platform.host());
      assertThat(LayerTrees.of(store).list()).isEmpty();
    }
  }

  @Test
  void pull_ofAnotherPlatformsImage_storesItWithoutUnpacking() throws Exception {
    Platform other = Platform.host().architecture().equals("arm64") ? Platform.parse("linux/amd64")
        : Platform.parse("linux/arm64");
    pushSynthetic("unpack/other:1", other, 33);
    try (Store store = Store.open(temp.resolve("store"))) {
      new ImageTransfer(store, RegistryClientSettings.defaults(), null).unpackingFor(Platform.host())
          .pull(ref("unpack/other:1"), other);
      assertThat(LayerTrees.of(store).list()).isEmpty();
    }
  }

  @Test
  void pull_unpackingALayerThatClimbsOutOfItsRoot_failsNamingTheLayer_andLeavesNoTree() throws Exception {
    byte[] tar = hostileTar();
    Digest diffId = Digest.sha256Of(tar);
    try (Store source = Store.open(temp.resolve("source"))) {
      Descriptor layer = source.blobs().put(MediaType.OCI_LAYER, tar);
      ImageConfig config = new ImageConfig(Instant.EPOCH, null, Platform.host().architecture(), Platform.host().os(),
          Platform.host().variant(), null, ContainerConfig.EMPTY, List.of(diffId), List.of());
      Descriptor configBlob = source.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
      Descriptor manifest = source.blobs().put(MediaType.OCI_MANIFEST,
          OciJson.write(Manifest.oci(configBlob, List.of(layer))));
      new ImageTransfer(source, RegistryClientSettings.defaults(), null).push(manifest, ref("unpack/hostile:1"));
    }
    try (Store store = Store.open(temp.resolve("store"))) {
      ImageTransfer transfer = new ImageTransfer(store, RegistryClientSettings.defaults(), null);
      assertThatThrownBy(() -> transfer.unpackingFor(Platform.host()).pull(ref("unpack/hostile:1"), Platform.host()))
          .isInstanceOf(OciException.class).hasMessageContaining("unpack/hostile:1")
          .hasMessageContaining("cannot unpack layer sha256:").hasMessageContaining("--no-unpack");
      assertThat(LayerTrees.of(store).list()).isEmpty();
      try (Stream<Path> left = Files.list(store.root().resolve("snapshots"))) {
        assertThat(left.filter(p -> p.getFileName().toString().startsWith("tmp-"))).isEmpty();
      }
      assertThat(temp.resolve("escaped")).doesNotExist();
      // Stored without unpacking, it can still be inspected or moved on.
      transfer.pull(ref("unpack/hostile:1"), Platform.host());
    }
  }

  /** A layer whose second entry climbs out of the root it is extracted into. */
  private static byte[] hostileTar() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (String name : List.of("ok.txt", "../../../escaped")) {
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(body.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(body);
        tar.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }
}

package dev.jbuild.registry.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** jbuild and the other tools read each other's images through a real registry: skopeo, docker. */
class InteropIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  @TempDir Path temp;

  private static final RegistryClientSettings SETTINGS = RegistryClientSettings.defaults();

  private ImageReference ref(String path) throws Exception {
    return ImageReference.parse(registry.host() + "/" + path);
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  @Test
  void skopeoCopy_imagePushedByJbuild_readsItIntoAnOciLayoutWithTheSameDigest() throws Exception {
    Digest pushed;
    try (Store store = Store.open(temp.resolve("store"))) {
      Descriptor local = BaseImages.busybox(store, "busybox:1");
      pushed = new ImageTransfer(store, SETTINGS, null).push(local, ref("interop/byjbuild:1"));
    }
    Path layout = temp.resolve("layout");
    run(List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false",
        "docker://" + registry.host() + "/interop/byjbuild:1", "oci:" + layout + ":copied"));
    ImageIndex index = OciJson.readIndex(Files.readAllBytes(layout.resolve("index.json")));
    assertThat(index.manifests()).extracting(Descriptor::digest).containsExactly(pushed);
  }

  @Test
  void pull_imagePushedBySkopeo_isStoredWholeAndValid() throws Exception {
    Path source = temp.resolve("source");
    try (Store store = Store.open(source)) {
      BaseImages.busybox(store, "busybox:1");
    }
    BaseImages.pushWithSkopeo(source, "busybox:1", registry.host() + "/interop/byskopeo:1");
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, SETTINGS, null)
          .pull(ref("interop/byskopeo:1"), Platform.host());
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
  }

  @Test
  void pull_twoPlatformIndex_selectsThePlatformAskedFor() throws Exception {
    FakeImage amd64 = FakeImage.create(new Platform("linux", "amd64", null, null), 2, 10_000, 1);
    FakeImage arm64 = FakeImage.create(new Platform("linux", "arm64", "v8", null), 2, 10_000, 2);
    List<Descriptor> children = new ArrayList<>();
    try (RegistryClient client = RegistryClient.create(SETTINGS, registry.host(), "interop/multi")) {
      amd64.pushTo(client);
      arm64.pushTo(client);
      children.add(amd64.manifestDescriptor().withPlatform(new Platform("linux", "amd64", null, null)));
      children.add(arm64.manifestDescriptor().withPlatform(new Platform("linux", "arm64", "v8", null)));
      client.pushManifest("1", OciJson.write(ImageIndex.oci(children)), MediaType.OCI_INDEX);
    }
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer transfer = new ImageTransfer(store, SETTINGS, null);
      ImageTransfer.PullResult arm = transfer.pull(ref("interop/multi:1"), Platform.parse("linux/arm64"));
      assertThat(arm.manifest().digest()).isEqualTo(arm64.manifestDescriptor().digest());
      assertThat(MediaType.isIndex(arm.stored().mediaType())).isTrue();
      assertThat(store.blobs().has(amd64.layers().get(0).digest())).isFalse();

      ImageTransfer.PullResult amd = transfer.pull(ref("interop/multi:1"), Platform.parse("linux/amd64"));
      assertThat(amd.manifest().digest()).isEqualTo(amd64.manifestDescriptor().digest());

      assertThatThrownBy(() -> transfer.pull(ref("interop/multi:1"), Platform.parse("linux/s390x")))
          .isInstanceOf(OciException.class)
          .hasMessageContaining("no image for platform linux/s390x")
          .hasMessageContaining("linux/amd64").hasMessageContaining("linux/arm64/v8");
    }
    try (Store store = Store.open(temp.resolve("all"))) {
      ImageTransfer.PullResult all = new ImageTransfer(store, SETTINGS, null).pullAllPlatforms(ref("interop/multi:1"));
      for (FakeImage image : List.of(amd64, arm64)) {
        assertThat(store.blobs().has(image.manifestDescriptor().digest())).isTrue();
        assertThat(store.blobs().has(image.layers().get(1).digest())).isTrue();
      }
      // The whole index pushes back digest for digest.
      assertThat(new ImageTransfer(store, SETTINGS, null).push(all.stored(), ref("interop/multi-again:1")))
          .isEqualTo(all.stored().digest());
    }
    // And a registry-to-registry copy of the index keeps every digest, children included.
    Digest copied = new RegistryCopy(SETTINGS, temp, null).copy(ref("interop/multi:1"), ref("interop/multi-copy:2"));
    try (RegistryClient client = RegistryClient.create(SETTINGS, registry.host(), "interop/multi-copy");
        RegistryClient source = RegistryClient.create(SETTINGS, registry.host(), "interop/multi")) {
      assertThat(client.pullManifest("2").bytes()).isEqualTo(source.pullManifest("1").bytes());
      assertThat(copied).isEqualTo(source.pullManifest("1").digest());
      assertThat(client.pullManifest(arm64.manifestDescriptor().digest().toString()).bytes())
          .isEqualTo(arm64.manifest());
      assertThat(client.blobExists(amd64.layers().get(1).digest())).isTrue();
    }
  }

  @Test
  void dockerPull_imagePushedByJbuild_runsTheSameConfig() throws Exception {
    Path dockerd = DockerDaemon.binary();
    assumeTrue(dockerd != null, "dockerd is not installed");
    Descriptor config;
    try (Store store = Store.open(temp.resolve("store"))) {
      Descriptor local = BaseImages.busybox(store, "busybox:1");
      config = OciJson.readManifest(store.blobs().readAll(local.digest(), 1 << 20)).config();
      new ImageTransfer(store, SETTINGS, null).push(local, ref("interop/fordocker:1"));
    }
    try (DockerDaemon docker = DockerDaemon.start(dockerd)) {
      docker.docker("pull", registry.host() + "/interop/fordocker:1");
      assertThat(docker.docker("image", "inspect", "--format", "{{.Id}}", registry.host() + "/interop/fordocker:1"))
          .isEqualTo(config.digest().toString());
    }
  }

  @Test
  void pull_imagePushedByDocker_isStoredWholeAndValid() throws Exception {
    Path dockerd = DockerDaemon.binary();
    assumeTrue(dockerd != null, "dockerd is not installed");
    Path rootfs = temp.resolve("rootfs.tar.gz");
    try (Store store = Store.open(temp.resolve("fixture"))) {
      Descriptor local = BaseImages.busybox(store, "busybox:1");
      Manifest m = OciJson.readManifest(store.blobs().readAll(local.digest(), 1 << 20));
      Files.write(rootfs, store.blobs().readAll(m.layers().get(0).digest(), 64 << 20));
    }
    String name = registry.host() + "/interop/bydocker:1";
    try (DockerDaemon docker = DockerDaemon.start(dockerd)) {
      docker.docker("import", rootfs.toString(), "jbuild-interop/imported:1");
      docker.docker("tag", "jbuild-interop/imported:1", name);
      docker.docker("push", name);
    }
    try (Store store = Store.open(temp.resolve("dest"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(store, SETTINGS, null)
          .pull(ref("interop/bydocker:1"), Platform.host());
      assertThat(pulled.stored().mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
      ImageValidator.validate(store.blobs(), pulled.stored());
    }
  }
}

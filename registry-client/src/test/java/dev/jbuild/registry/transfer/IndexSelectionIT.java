package dev.jbuild.registry.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.store.Store;
import dev.jbuild.testing.registry.RegistryExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Which manifests of an index a pull takes, against the real registry (distribution 2.8). */
class IndexSelectionIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();
  @TempDir Path temp;
  private static final RegistryClientSettings SETTINGS = RegistryClientSettings.defaults();

  private ImageReference ref(String path) throws Exception {
    return ImageReference.parse(registry.host() + "/" + path);
  }

  /**
   * BuildKit's attestation manifest (every Docker Official Image since 2023 has them): an OCI manifest, OCI config
   * for unknown/unknown whose diff_ids are the in-toto blobs' digests, and application/vnd.in-toto+json layers.
   * pullAllPlatforms stores them as artifacts (their blobs checked by digest), not as images.
   */
  @Test
  void pullAllPlatforms_indexWithBuildkitAttestationManifest_succeeds() throws Exception {
    FakeImage amd64 = FakeImage.create(new Platform("linux", "amd64", null, null), 1, 1000, 1);
    byte[] statement = "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\"}"
        .getBytes(StandardCharsets.UTF_8);
    Digest statementDigest = Digest.sha256Of(statement);
    byte[] config = ("{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[\"" + statementDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
    Digest configDigest = Digest.sha256Of(config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaType.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{"
        + "\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" + statementDigest + "\",\"size\":"
        + statement.length + ",\"annotations\":{\"in-toto.io/predicate-type\":\"https://slsa.dev/provenance/v0.2\"}}]}")
        .getBytes(StandardCharsets.UTF_8);
    Digest manifestDigest = Digest.sha256Of(manifest);
    try (RegistryClient client = RegistryClient.create(SETTINGS, registry.host(), "review/att")) {
      amd64.pushTo(client);
      client.pushBlob(new Descriptor("application/vnd.in-toto+json", statementDigest, statement.length),
          () -> new ByteArrayInputStream(statement), null);
      client.pushBlob(new Descriptor(MediaType.OCI_CONFIG, configDigest, config.length),
          () -> new ByteArrayInputStream(config), null);
      client.pushManifest(manifestDigest.toString(), manifest, MediaType.OCI_MANIFEST);
      List<Descriptor> children = new ArrayList<>();
      children.add(amd64.manifestDescriptor().withPlatform(new Platform("linux", "amd64", null, null)));
      children.add(new Descriptor(MediaType.OCI_MANIFEST, manifestDigest, manifest.length)
          .withPlatform(new Platform("unknown", "unknown", null, null))
          .withAnnotations(Map.of("vnd.docker.reference.type", "attestation-manifest",
              "vnd.docker.reference.digest", amd64.manifestDescriptor().digest().toString())));
      client.pushManifest("1", OciJson.write(ImageIndex.oci(children)), MediaType.OCI_INDEX);
    }
    try (Store store = Store.open(temp.resolve("all"))) {
      ImageTransfer.PullResult all = new ImageTransfer(store, SETTINGS, null).pullAllPlatforms(ref("review/att:1"));
      assertThat(store.blobs().has(manifestDigest)).isTrue();
      assertThat(all.stored().mediaType()).isEqualTo(MediaType.OCI_INDEX);
    }
  }

  /**
   * As containerd on a plain amd64 host, only amd64 without a variant (or a lower one) matches: an amd64/v3 image
   * (x86-64-v3 instructions: SIGILL on older CPUs) is passed over even when the index lists it first.
   */
  @Test
  void pull_plainAmd64_doesNotPickAnAmd64V3Image() throws Exception {
    FakeImage v3 = FakeImage.create(new Platform("linux", "amd64", "v3", null), 1, 1000, 3);
    FakeImage v1 = FakeImage.create(new Platform("linux", "amd64", null, null), 1, 1000, 4);
    try (RegistryClient client = RegistryClient.create(SETTINGS, registry.host(), "review/variants")) {
      v3.pushTo(client);
      v1.pushTo(client);
      client.pushManifest("1", OciJson.write(ImageIndex.oci(List.of(
          v3.manifestDescriptor().withPlatform(new Platform("linux", "amd64", "v3", null)),
          v1.manifestDescriptor().withPlatform(new Platform("linux", "amd64", null, null))))), MediaType.OCI_INDEX);
    }
    try (Store store = Store.open(temp.resolve("v"))) {
      ImageTransfer.PullResult pulled =
          new ImageTransfer(store, SETTINGS, null).pull(ref("review/variants:1"), Platform.parse("linux/amd64"));
      assertThat(pulled.manifest().digest()).isEqualTo(v1.manifestDescriptor().digest());
    }
  }
}

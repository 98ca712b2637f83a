package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.testing.registry.RegistryExtension;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Push and pull against a real docker-registry, as a user would. */
class RegistryClientIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  private RegistryClient client(String repository) {
    return RegistryClient.create(RegistryClientSettings.defaults(), registry.host(), repository);
  }

  @Test
  void pushThenPull_blobsAndManifest_roundTripByteForByte() throws Exception {
    byte[] layer = TestImages.randomBytes(3 * 1024 * 1024 + 17, 1);
    byte[] config = TestImages.config("roundtrip");
    Descriptor layerDescriptor = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, layer);
    Descriptor configDescriptor = TestImages.configDescriptor(config);
    byte[] manifest = TestImages.manifest(configDescriptor, List.of(layerDescriptor));

    try (RegistryClient client = client("roundtrip/app")) {
      assertThat(client.pushBlob(layerDescriptor, TestImages.content(layer), null)).isTrue();
      assertThat(client.pushBlob(configDescriptor, TestImages.content(config), null)).isTrue();
      Digest pushed = client.pushManifest("v1", manifest, MediaType.OCI_MANIFEST);

      assertThat(pushed).isEqualTo(Digest.sha256Of(manifest));
      ManifestResponse byTag = client.pullManifest("v1");
      assertThat(byTag.bytes()).isEqualTo(manifest);
      assertThat(byTag.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
      assertThat(byTag.digest()).isEqualTo(pushed);
      assertThat(client.pullManifest(pushed.toString()).bytes()).isEqualTo(manifest);

      ByteArrayOutputStream layerOut = new ByteArrayOutputStream();
      client.pullBlob(layerDescriptor, layerOut);
      assertThat(layerOut.toByteArray()).isEqualTo(layer);
      ByteArrayOutputStream configOut = new ByteArrayOutputStream();
      client.pullBlob(configDescriptor, configOut);
      assertThat(OciJson.readConfig(configOut.toByteArray()).architecture()).isEqualTo("amd64");
    }
  }

  @Test
  void pushBlob_blobAlreadyPresent_returnsFalseWithoutUpload() throws Exception {
    byte[] blob = TestImages.randomBytes(1000, 2);
    Descriptor descriptor = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, blob);
    try (RegistryClient client = client("exists")) {
      assertThat(client.pushBlob(descriptor, TestImages.content(blob), null)).isTrue();
      assertThat(client.pushBlob(descriptor, () -> {
        throw new AssertionError("content must not be opened for a blob that exists");
      }, null)).isFalse();
    }
  }

  @Test
  void pushBlob_mountFromOtherRepository_mountsWithoutUpload() throws Exception {
    byte[] blob = TestImages.randomBytes(5000, 3);
    Descriptor descriptor = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, blob);
    try (RegistryClient source = client("mount/source"); RegistryClient target = client("mount/target")) {
      source.pushBlob(descriptor, TestImages.content(blob), null);
      boolean uploaded = target.pushBlob(descriptor, () -> {
        throw new AssertionError("a mounted blob must not be uploaded");
      }, "mount/source");
      assertThat(uploaded).isFalse();
      assertThat(target.blobExists(descriptor.digest())).isTrue();
    }
  }

  @Test
  void blobSize_presentAndAbsent_reportsSizeOrEmpty() throws Exception {
    byte[] blob = TestImages.randomBytes(4321, 4);
    Descriptor descriptor = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, blob);
    try (RegistryClient client = client("head")) {
      assertThat(client.blobSize(descriptor.digest())).isEmpty();
      assertThat(client.blobExists(descriptor.digest())).isFalse();
      client.pushBlob(descriptor, TestImages.content(blob), null);
      assertThat(client.blobSize(descriptor.digest())).contains(4321L);
    }
  }

  @Test
  void headManifest_taggedAndUnknown_returnsDescriptorOrEmpty() throws Exception {
    try (RegistryClient client = client("headmanifest")) {
      Digest digest = pushSmallImage(client, "t1");
      Optional<Descriptor> head = client.headManifest("t1");
      assertThat(head).isPresent();
      assertThat(head.get().digest()).isEqualTo(digest);
      assertThat(head.get().mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
      assertThat(client.headManifest("nope")).isEmpty();
    }
  }

  @Test
  void listTags_threeTags_listsAllOfThem() throws Exception {
    try (RegistryClient client = client("tags")) {
      pushSmallImage(client, "a");
      pushSmallImage(client, "b");
      pushSmallImage(client, "c");
      assertThat(client.listTags()).containsExactlyInAnyOrder("a", "b", "c");
      assertThat(client.listRepositories()).contains("tags");
    }
  }

  @Test
  void pullManifest_unknownTag_throwsManifestNotFoundNamingTheReference() throws Exception {
    try (RegistryClient client = client("missing")) {
      pushSmallImage(client, "present");
      assertThatThrownBy(() -> client.pullManifest("absent"))
          .isInstanceOf(ManifestNotFoundException.class)
          .hasMessageContaining("absent")
          .hasMessageContaining(registry.host() + "/missing")
          .satisfies(e -> {
            ManifestNotFoundException m = (ManifestNotFoundException) e;
            assertThat(m.reference()).isEqualTo("absent");
            assertThat(m.statusCode()).isEqualTo(404);
            assertThat(m.ociErrorCodes()).contains("MANIFEST_UNKNOWN");
          });
    }
  }

  @Test
  void pullBlob_unknownDigest_throwsBlobNotFound() throws Exception {
    Descriptor missing = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, TestImages.randomBytes(10, 5));
    try (RegistryClient client = client("missingblob")) {
      assertThatThrownBy(() -> client.pullBlob(missing, new ByteArrayOutputStream()))
          .isInstanceOf(BlobNotFoundException.class)
          .hasMessageContaining("BLOB_UNKNOWN");
    }
  }

  @Test
  void deleteManifest_existingDigest_removesIt() throws Exception {
    try (RegistryClient client = client("delete")) {
      Digest digest = pushSmallImage(client, "gone");
      assertThat(client.deleteManifest(digest)).isTrue();
      assertThatThrownBy(() -> client.pullManifest(digest.toString())).isInstanceOf(ManifestNotFoundException.class);
    }
  }

  @Test
  void ping_registryDown_throwsUnreachableNamingHostAndPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (RegistryClient client =
        RegistryClient.create(RegistryClientSettings.defaults(), "localhost:" + port, "down")) {
      assertThatThrownBy(() -> client.pullManifest("latest"))
          .isInstanceOf(RegistryUnreachableException.class)
          .hasMessageContaining("localhost:" + port)
          .hasMessageContaining("connection refused")
          .hasMessageContaining("is the registry running?");
    }
  }

  @Test
  void referrers_registryWithoutTheApi_fallsBackToTheTagSchemaAndFilters() throws Exception {
    try (RegistryClient client = client("referrers")) {
      Digest subject = pushSmallImage(client, "subject");
      Descriptor subjectDescriptor = new Descriptor(MediaType.OCI_MANIFEST, subject,
          client.pullManifest("subject").size());
      byte[] config = TestImages.config("sig");
      Descriptor configDescriptor = TestImages.configDescriptor(config);
      client.pushBlob(configDescriptor, TestImages.content(config), null);
      List<Descriptor> referrers = new java.util.ArrayList<>();
      for (String type : List.of("application/vnd.example.sig", "application/vnd.example.sbom")) {
        byte[] artifact = OciJson.write(new dev.jbuild.oci.Manifest(MediaType.OCI_MANIFEST, type, configDescriptor,
            List.of(), subjectDescriptor, null));
        Digest d = client.pushManifest(Digest.sha256Of(artifact).toString(), artifact, MediaType.OCI_MANIFEST);
        referrers.add(new Descriptor(MediaType.OCI_MANIFEST, d, artifact.length, null, null, null, type));
      }
      client.pushManifest("sha256-" + subject.hex(), OciJson.write(dev.jbuild.oci.ImageIndex.oci(referrers)),
          MediaType.OCI_INDEX);

      assertThat(client.referrers(subject, null).orElseThrow().manifests()).hasSize(2);
      assertThat(client.referrers(subject, "application/vnd.example.sig").orElseThrow().manifests())
          .extracting(Descriptor::artifactType).containsExactly("application/vnd.example.sig");
      assertThat(client.referrers(Digest.sha256Of(new byte[] {1}), null)).isEmpty();
    }
  }

  /** Pushes a config-only image under {@code tag}; returns the manifest digest. */
  static Digest pushSmallImage(RegistryClient client, String tag) throws Exception {
    byte[] config = TestImages.config(tag);
    Descriptor configDescriptor = TestImages.configDescriptor(config);
    client.pushBlob(configDescriptor, TestImages.content(config), null);
    return client.pushManifest(tag, TestImages.manifest(configDescriptor, List.of()), MediaType.OCI_MANIFEST);
  }
}

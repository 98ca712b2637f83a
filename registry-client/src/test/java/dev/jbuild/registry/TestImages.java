package dev.jbuild.registry;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Small, deterministic blobs and manifests for the tests. */
final class TestImages {
  private TestImages() {}

  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static Descriptor descriptor(String mediaType, byte[] bytes) {
    return new Descriptor(mediaType, Digest.sha256Of(bytes), bytes.length);
  }

  static RegistryClient.BlobContent content(byte[] bytes) {
    return () -> new ByteArrayInputStream(bytes);
  }

  /** A config blob: valid-looking image config JSON that differs by {@code label}. */
  static byte[] config(String label) {
    return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"t\":\"" + label
            + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] manifest(Descriptor config, List<Descriptor> layers) {
    return OciJson.write(Manifest.oci(config, layers));
  }

  static Descriptor configDescriptor(byte[] config) {
    return descriptor(MediaType.OCI_CONFIG, config);
  }
}

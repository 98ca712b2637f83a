package dev.jbuild.registry.transfer;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * An image held in memory for stand-in registries: gzip layers over random bytes, a config whose diff_ids match
 * them, and an OCI manifest. Every blob is in {@link #blobs()} by digest.
 */
record FakeImage(byte[] manifest, Descriptor manifestDescriptor, Descriptor config, List<Descriptor> layers,
    Map<Digest, byte[]> blobs) {

  static FakeImage create(Platform platform, int layerCount, int layerSize, long seed) {
    Random random = new Random(seed);
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    List<Descriptor> layers = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (int i = 0; i < layerCount; i++) {
      byte[] plain = new byte[layerSize];
      random.nextBytes(plain);
      byte[] gz = gzip(plain);
      Descriptor layer = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256Of(gz), gz.length);
      layers.add(layer);
      diffIds.add(Digest.sha256Of(plain));
      blobs.put(layer.digest(), gz);
    }
    ImageConfig config = new ImageConfig(Instant.EPOCH, null, platform.architecture(), platform.os(),
        platform.variant(), null, ContainerConfig.EMPTY, diffIds, List.of());
    byte[] configBytes = OciJson.write(config);
    Descriptor configDescriptor = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256Of(configBytes),
        configBytes.length);
    blobs.put(configDescriptor.digest(), configBytes);
    byte[] manifest = OciJson.write(Manifest.oci(configDescriptor, layers));
    Descriptor manifestDescriptor = new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(manifest), manifest.length);
    return new FakeImage(manifest, manifestDescriptor, configDescriptor, layers, blobs);
  }

  /** Pushes every blob, then the manifest by its digest, to {@code client}'s repository. */
  void pushTo(dev.jbuild.registry.RegistryClient client) throws Exception {
    for (Map.Entry<Digest, byte[]> blob : blobs.entrySet()) {
      byte[] bytes = blob.getValue();
      client.pushBlob(new Descriptor(MediaType.OCI_LAYER_GZIP, blob.getKey(), bytes.length),
          () -> new java.io.ByteArrayInputStream(bytes), null);
    }
    client.pushManifest(manifestDescriptor.digest().toString(), manifest, MediaType.OCI_MANIFEST);
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

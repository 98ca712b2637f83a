package dev.jbuild.registry.transfer;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Images built into a store the way jbuild builds them: uncompressed, reproducible layer tars (so a push
 * compresses them), of files whose content is half random and half text, so gzip and zstd have real work but
 * cannot shrink the bytes to nothing.
 */
public final class SyntheticImages {
  private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

  private SyntheticImages() {}

  /** Writes an image of {@code layers} layers of about {@code bytesPerLayer} each, tags it {@code name}. */
  public static Descriptor write(Store store, String name, Platform platform, int layers, long bytesPerLayer,
      long seed, Path scratch) throws Exception {
    Random random = new Random(seed);
    List<Descriptor> blobs = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    int filesPerLayer = (int) Math.max(1, Math.min(8, bytesPerLayer / (1 << 20)));
    for (int l = 0; l < layers; l++) {
      Path dir = Files.createDirectories(scratch.resolve("layer" + l));
      List<LayerEntry> entries = new ArrayList<>();
      entries.add(LayerEntry.directory("data", 0755, 0, 0, EPOCH));
      for (int f = 0; f < filesPerLayer; f++) {
        Path file = dir.resolve("f" + f);
        long size = bytesPerLayer / filesPerLayer;
        fill(file, size, random);
        entries.add(LayerEntry.file("data/l" + l + "-f" + f, file, size, 0644, 0, 0, EPOCH));
      }
      Layer layer = LayerBlobs.writeLayer(store.blobs(), entries, EPOCH);
      blobs.add(layer.blob());
      diffIds.add(layer.diffId());
      for (int f = 0; f < filesPerLayer; f++) {
        Files.deleteIfExists(dir.resolve("f" + f));
      }
    }
    ImageConfig config = new ImageConfig(EPOCH, null, platform.architecture(), platform.os(), platform.variant(),
        null, ContainerConfig.EMPTY, diffIds, List.of());
    Descriptor configBlob = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(configBlob, blobs)));
    store.images().tag(name, manifest);
    return manifest;
  }

  private static void fill(Path file, long size, Random random) throws IOException {
    byte[] block = new byte[64 * 1024];
    byte[] text = "the quick brown fox jumps over the lazy dog 0123456789\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (OutputStream out = Files.newOutputStream(file)) {
      long left = size;
      while (left > 0) {
        random.nextBytes(block);
        for (int i = block.length / 2; i < block.length; i++) {
          block[i] = text[i % text.length];
        }
        int n = (int) Math.min(block.length, left);
        out.write(block, 0, n);
        left -= n;
      }
    }
  }
}

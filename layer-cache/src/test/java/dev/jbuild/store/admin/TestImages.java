package dev.jbuild.store.admin;

import com.github.luben.zstd.Zstd;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.ImageStore;
import dev.jbuild.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small images into a real store for the admin tests. Layer "tars" are arbitrary bytes: GC and check only
 * care about digests, sizes and decompression, not tar structure.
 */
final class TestImages {
  static final Instant TIME = Instant.parse("2024-05-01T10:00:00Z");

  final Store store;

  TestImages(Store store) {
    this.store = store;
  }

  /** A layer blob and the diffID of its uncompressed content. */
  record Layer(Descriptor blob, Digest diffId) {}

  Layer layer(String content, MediaType.Compression compression) throws Exception {
    byte[] raw = content.getBytes(StandardCharsets.UTF_8);
    byte[] stored;
    String mediaType;
    switch (compression) {
      case GZIP:
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
          out.write(raw);
        }
        stored = gz.toByteArray();
        mediaType = MediaType.OCI_LAYER_GZIP;
        break;
      case ZSTD:
        stored = Zstd.compress(raw);
        mediaType = MediaType.OCI_LAYER_ZSTD;
        break;
      default:
        stored = raw;
        mediaType = MediaType.OCI_LAYER;
    }
    Digest d = store.blobs().ingest(new ByteArrayInputStream(stored), null, stored.length);
    return new Layer(new Descriptor(mediaType, d, stored.length), Digest.sha256Of(raw));
  }

  Layer plain(String content) throws Exception {
    return layer(content, MediaType.Compression.NONE);
  }

  Layer gzip(String content) throws Exception {
    return layer(content, MediaType.Compression.GZIP);
  }

  /** An image whose config has one history line per layer, tagged {@code name} unless it is null. */
  Descriptor image(String name, Layer... layers) throws Exception {
    List<ImageConfig.HistoryEntry> history = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    List<Descriptor> blobs = new ArrayList<>();
    for (Layer l : layers) {
      diffIds.add(l.diffId());
      blobs.add(l.blob());
      history.add(new ImageConfig.HistoryEntry(TIME, "COPY " + l.diffId().shortHex() + " /", null, null, false));
    }
    return image(name, diffIds, blobs, history);
  }

  Descriptor image(String name, List<Digest> diffIds, List<Descriptor> layers, List<ImageConfig.HistoryEntry> history)
      throws Exception {
    Platform p = Platform.host();
    ImageConfig config = new ImageConfig(TIME, null, p.architecture(), p.os(), p.variant(), null, null, diffIds,
        history);
    Descriptor configBlob = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
    Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(configBlob, layers)));
    if (name != null) {
      store.images().tag(name, manifest);
    }
    return manifest;
  }

  /** An index over {@code children} (stored or not), tagged {@code name}. */
  Descriptor index(String name, Descriptor... children) throws Exception {
    List<Descriptor> list = new ArrayList<>();
    for (Descriptor c : children) {
      list.add(c.withPlatform(Platform.host()));
    }
    Descriptor index = store.blobs().put(MediaType.OCI_INDEX, OciJson.write(ImageIndex.oci(list)));
    store.images().tag(name, index);
    return index;
  }

  /** Adds {@code d} to index.json with no name, as another tool (or an interrupted build) might leave it. */
  void addUntagged(Descriptor d) throws Exception {
    Path file = store.root().resolve("index.json");
    ImageIndex index = OciJson.readIndex(Files.readAllBytes(file));
    List<Descriptor> entries = new ArrayList<>(index.manifests());
    entries.add(d.withAnnotations(Map.of("org.example.note", "untagged")));
    Files.write(file, OciJson.write(ImageIndex.oci(entries)));
  }

  /** Pretends {@code p} was last written {@code age} ago. */
  static void age(Path p, Duration age) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
  }

  Path blob(Descriptor d) {
    return store.blobs().path(d.digest());
  }

  static boolean tagged(Descriptor entry) {
    return entry.annotations().containsKey(ImageStore.REF_NAME);
  }
}

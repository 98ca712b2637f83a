package dev.jbuild.store.archive;

import com.github.luben.zstd.Zstd;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/** Real images (layers that are tars) written into a store, and checks that a store is untouched. */
final class Images {
  static final Instant TIME = Instant.parse("2024-05-01T10:00:00Z");

  record Layer(Descriptor blob, Digest diffId, byte[] tar) {}

  private Images() {}

  static Layer layer(Store store, byte[] tar, MediaType.Compression c) throws Exception {
    byte[] stored = tar;
    String type = MediaType.OCI_LAYER;
    if (c == MediaType.Compression.GZIP) {
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(tar);
      }
      stored = gz.toByteArray();
      type = MediaType.OCI_LAYER_GZIP;
    } else if (c == MediaType.Compression.ZSTD) {
      stored = Zstd.compress(tar);
      type = MediaType.OCI_LAYER_ZSTD;
    }
    Digest d = store.blobs().ingest(new ByteArrayInputStream(stored), null, stored.length);
    return new Layer(new Descriptor(type, d, stored.length), Digest.sha256Of(tar), tar);
  }

  static Descriptor image(Store store, String name, Layer... layers) throws Exception {
    List<Digest> diffIds = new ArrayList<>();
    List<Descriptor> blobs = new ArrayList<>();
    List<ImageConfig.HistoryEntry> history = new ArrayList<>();
    for (Layer l : layers) {
      diffIds.add(l.diffId());
      blobs.add(l.blob());
      history.add(new ImageConfig.HistoryEntry(TIME, "test layer", null, null, false));
    }
    ImageConfig config = new ImageConfig(TIME, null, "amd64", "linux", null, null,
        ContainerConfig.EMPTY.withCmd(List.of("/bin/sh")), diffIds, history);
    Descriptor c = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
    Descriptor m = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(c, blobs)));
    if (name != null) {
      store.images().tag(name, m);
    }
    return m;
  }

  /** What must not change when a load fails: index.json's bytes, and every blob hashing to its name. */
  static String snapshot(Store store) throws Exception {
    StringBuilder b = new StringBuilder(Files.readString(store.root().resolve("index.json")));
    TreeMap<String, String> blobs = new TreeMap<>();
    try (var files = Files.walk(store.root().resolve("blobs"))) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String name = p.getParent().getFileName() + ":" + p.getFileName();
        Digest actual = Digest.sha256Of(Files.readAllBytes(p));
        if (!actual.toString().equals(name)) {
          throw new AssertionError("blob " + p + " hashes to " + actual);
        }
      }
    }
    return b.toString();
  }
}

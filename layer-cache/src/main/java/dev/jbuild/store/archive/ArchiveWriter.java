package dev.jbuild.store.archive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes images from the store as one tar ({@code jbuild save}). Blobs are copied as stored (compressed or not;
 * {@code docker load} decompresses), each once however many images share it, and verified while copied. The
 * tar is reproducible: entries sorted by name, owner 0:0, mtime 0.
 *
 * <pre>{@code
 * ArchiveWriter.write(store.blobs(), List.of(new ArchiveWriter.NamedImage("hello:1", image)),
 *     ArchiveFormat.DOCKER_ARCHIVE, out);
 * }</pre>
 */
public final class ArchiveWriter {
  /** The annotation containerd and docker 25+ put the full image name in. */
  public static final String CONTAINERD_NAME = "io.containerd.image.name";
  /** The OCI layout's tag annotation. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final String OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";

  private ArchiveWriter() {}

  /**
   * One image to save.
   *
   * @param name its familiar name ({@code hello:1}, {@code localhost:5000/x:1}), or null to save it untagged
   * @param image the image as read by {@link dev.jbuild.store.StoredImages#read}
   */
  public record NamedImage(String name, StoredImage image) {
    public NamedImage {
      Objects.requireNonNull(image, "image");
    }
  }

  /** Writes {@code images} to {@code out} (not closed) in {@code format}. */
  public static void write(BlobStore blobs, List<NamedImage> images, ArchiveFormat format, OutputStream out)
      throws StoreException, IOException {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no images to save");
    }
    TreeMap<String, Digest> blobPaths = new TreeMap<>();
    Map<Digest, Long> sizes = new TreeMap<>();
    // Grouped by manifest so that one image saved under two names is one manifest.json entry with two RepoTags.
    Map<Digest, List<String>> namesByManifest = new LinkedHashMap<>();
    Map<Digest, StoredImage> byManifest = new LinkedHashMap<>();
    List<Descriptor> indexEntries = new ArrayList<>();
    for (NamedImage n : images) {
      StoredImage image = n.image();
      Descriptor m = image.manifestDescriptor();
      byManifest.putIfAbsent(m.digest(), image);
      List<String> names = namesByManifest.computeIfAbsent(m.digest(), k -> new ArrayList<>());
      if (n.name() != null && !names.contains(n.name())) {
        names.add(n.name());
      }
      add(blobPaths, sizes, m.digest(), m.size());
      add(blobPaths, sizes, image.manifest().config().digest(), image.manifest().config().size());
      for (Descriptor layer : image.manifest().layers()) {
        add(blobPaths, sizes, layer.digest(), layer.size());
      }
    }
    for (Map.Entry<Digest, List<String>> e : namesByManifest.entrySet()) {
      Descriptor m = byManifest.get(e.getKey()).manifestDescriptor();
      Descriptor plain = new Descriptor(m.mediaType(), m.digest(), m.size());
      if (e.getValue().isEmpty()) {
        indexEntries.add(plain);
      }
      for (String name : e.getValue()) {
        indexEntries.add(plain.withAnnotations(annotations(name, format)));
      }
    }

    try (ReproducibleTar tar = new ReproducibleTar(out)) {
      // Sorted by name, as a directory walk would give: blobs/..., index.json, manifest.json, oci-layout, repositories.
      tar.directory("blobs");
      String currentDir = null;
      for (Map.Entry<String, Digest> e : blobPaths.entrySet()) {
        String dir = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
        if (!dir.equals(currentDir)) {
          tar.directory(dir);
          currentDir = dir;
        }
        Digest d = e.getValue();
        long size = sizes.get(d);
        try (InputStream in = blobs.open(d)) {
          tar.file(e.getKey(), size, in);
          if (in.read() != -1) {
            throw new StoreException("blob " + d + " is larger than its descriptor's " + size + " bytes");
          }
        } catch (IOException ex) {
          throw new StoreException("cannot copy blob " + d + " into the archive: " + ex.getMessage(), ex);
        }
      }
      tar.file("index.json", OciJson.write(ImageIndex.oci(indexEntries)));
      if (format == ArchiveFormat.DOCKER_ARCHIVE) {
        tar.file("manifest.json", dockerManifest(byManifest, namesByManifest));
      }
      tar.file("oci-layout", OCI_LAYOUT.getBytes(StandardCharsets.UTF_8));
      if (format == ArchiveFormat.DOCKER_ARCHIVE) {
        tar.file("repositories", repositories(byManifest, namesByManifest));
      }
    }
    out.flush();
  }

  static String blobPath(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.hex();
  }

  private static void add(Map<String, Digest> paths, Map<Digest, Long> sizes, Digest d, long size) {
    Long previous = sizes.putIfAbsent(d, size);
    if (previous != null && previous != size) {
      throw new IllegalStateException("blob " + d + " described with sizes " + previous + " and " + size);
    }
    paths.put(blobPath(d), d);
  }

  /**
   * Docker writes the full name in {@code io.containerd.image.name} and the bare tag in ref.name; an OCI archive
   * (as skopeo and podman write it) carries the name in ref.name, which is how {@code oci-archive:FILE:NAME} finds
   * it.
   */
  private static Map<String, String> annotations(String name, ArchiveFormat format) {
    Map<String, String> a = new TreeMap<>();
    ImageReference ref = parse(name);
    a.put(CONTAINERD_NAME, ref.toString());
    if (format == ArchiveFormat.DOCKER_ARCHIVE) {
      a.put(REF_NAME, ref.tag() != null ? ref.tag() : ref.digest().toString());
    } else {
      a.put(REF_NAME, name);
    }
    return a;
  }

  private static ImageReference parse(String name) {
    try {
      return ImageReference.parse(name);
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException("not an image name: " + name, e);
    }
  }

  private static byte[] dockerManifest(Map<Digest, StoredImage> images, Map<Digest, List<String>> names) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (Map.Entry<Digest, StoredImage> e : images.entrySet()) {
      ObjectNode o = array.addObject();
      o.put("Config", blobPath(e.getValue().manifest().config().digest()));
      List<String> tags = names.get(e.getKey());
      if (tags.isEmpty()) {
        o.putNull("RepoTags");
      } else {
        ArrayNode t = o.putArray("RepoTags");
        tags.forEach(t::add);
      }
      ArrayNode layers = o.putArray("Layers");
      e.getValue().manifest().layers().forEach(l -> layers.add(blobPath(l.digest())));
    }
    return OciJson.bytes(array);
  }

  /** The legacy {@code repositories} file: repository to tag to the top layer's id, for tagged images. */
  private static byte[] repositories(Map<Digest, StoredImage> images, Map<Digest, List<String>> names) {
    TreeMap<String, TreeMap<String, String>> repos = new TreeMap<>();
    for (Map.Entry<Digest, StoredImage> e : images.entrySet()) {
      List<Descriptor> layers = e.getValue().manifest().layers();
      if (layers.isEmpty()) {
        continue;
      }
      String top = layers.get(layers.size() - 1).digest().hex();
      for (String name : names.get(e.getKey())) {
        ImageReference ref = parse(name);
        if (ref.tag() != null) {
          repos.computeIfAbsent(ref.familiarName(), k -> new TreeMap<>()).put(ref.tag(), top);
        }
      }
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    repos.forEach((repo, tags) -> {
      ObjectNode t = root.putObject(repo);
      tags.forEach(t::put);
    });
    return OciJson.bytes(root);
  }
}

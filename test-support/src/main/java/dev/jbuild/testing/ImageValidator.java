package dev.jbuild.testing;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.compress.Decompress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Cross-checks an image in a store: every digest and size over the raw bytes (read from disk here, not
 * through the store's own verifying reader, so the store is not trusted to check itself), media types
 * against the documents, config diffIDs against the decompressed layers, layer tars readable with no
 * duplicate paths, and index platforms against the child configs.
 */
public final class ImageValidator {
  private static final long MAX_JSON = 4L << 20;

  private final BlobStore blobs;
  private final List<String> problems = new ArrayList<>();

  private ImageValidator(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Throws an {@link AssertionError} listing every problem found under {@code descriptor}. */
  public static void validate(BlobStore blobs, Descriptor descriptor) {
    List<String> found = problems(blobs, descriptor);
    if (!found.isEmpty()) {
      throw new AssertionError("image " + descriptor.digest() + " is invalid:\n  - " + String.join("\n  - ", found));
    }
  }

  /** Every problem found under {@code descriptor}; empty when the image is valid. */
  public static List<String> problems(BlobStore blobs, Descriptor descriptor) {
    ImageValidator v = new ImageValidator(blobs);
    try {
      v.check(descriptor);
    } catch (IOException | OciException | RuntimeException e) {
      v.problems.add("validation stopped: " + e);
    }
    return List.copyOf(v.problems);
  }

  private void check(Descriptor descriptor) throws IOException, OciException {
    if (MediaType.isIndex(descriptor.mediaType())) {
      checkIndex(descriptor);
    } else if (MediaType.isManifest(descriptor.mediaType())) {
      checkManifest(descriptor);
    } else {
      problems.add(descriptor.digest() + ": unexpected top-level media type " + descriptor.mediaType());
    }
  }

  private byte[] readJson(Descriptor d, String what) throws IOException {
    Path path = blobs.path(d.digest());
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(what + " " + d.digest() + ": blob missing or not a regular file");
      return null;
    }
    if (d.size() > MAX_JSON) {
      problems.add(what + " " + d.digest() + ": " + d.size() + " bytes is beyond the 4 MiB cap");
      return null;
    }
    byte[] bytes = Files.readAllBytes(path);
    if (bytes.length != d.size()) {
      problems.add(what + " " + d.digest() + ": size " + bytes.length + " != descriptor size " + d.size());
    }
    Digest actual = Digest.sha256Of(bytes);
    if (!actual.equals(d.digest())) {
      problems.add(what + " " + d.digest() + ": content hashes to " + actual);
    }
    return bytes;
  }

  private void checkIndex(Descriptor descriptor) throws IOException, OciException {
    byte[] bytes = readJson(descriptor, "index");
    if (bytes == null) {
      return;
    }
    ImageIndex index = OciJson.readIndex(bytes);
    if (!index.mediaType().equals(descriptor.mediaType())) {
      problems.add("index " + descriptor.digest() + ": mediaType " + index.mediaType() + " != descriptor's "
          + descriptor.mediaType());
    }
    int present = 0;
    for (Descriptor child : index.manifests()) {
      if (!blobs.has(child.digest())) {
        continue; // an index pulled for one platform keeps only that platform's manifest
      }
      present++;
      check(child);
      if (child.platform() != null && MediaType.isManifest(child.mediaType()) && Files.exists(blobs.path(child.digest()))) {
        Manifest m = OciJson.readManifest(Files.readAllBytes(blobs.path(child.digest())));
        if (blobs.has(m.config().digest())) {
          ImageConfig c = OciJson.readConfig(Files.readAllBytes(blobs.path(m.config().digest())));
          if (!c.os().equals(child.platform().os()) || !c.architecture().equals(child.platform().architecture())) {
            problems.add("index entry " + child.digest() + " says " + child.platform() + " but its config says "
                + c.os() + "/" + c.architecture());
          }
        }
      }
    }
    if (present == 0) {
      problems.add("index " + descriptor.digest() + ": none of its " + index.manifests().size()
          + " manifests is present");
    }
  }

  private void checkManifest(Descriptor descriptor) throws IOException, OciException {
    byte[] bytes = readJson(descriptor, "manifest");
    if (bytes == null) {
      return;
    }
    Manifest manifest = OciJson.readManifest(bytes);
    if (!manifest.mediaType().equals(descriptor.mediaType())) {
      problems.add("manifest " + descriptor.digest() + ": mediaType " + manifest.mediaType() + " != descriptor's "
          + descriptor.mediaType());
    }
    boolean docker = manifest.mediaType().equals(MediaType.DOCKER_MANIFEST);
    String expectedConfigType = docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG;
    if (!manifest.config().mediaType().equals(expectedConfigType)) {
      problems.add("config " + manifest.config().digest() + ": mediaType " + manifest.config().mediaType()
          + " in a " + (docker ? "Docker" : "OCI") + " manifest");
    }
    byte[] configBytes = readJson(manifest.config(), "config");
    if (configBytes == null) {
      return;
    }
    ImageConfig config = OciJson.readConfig(configBytes);
    if (config.diffIds().size() != manifest.layers().size()) {
      problems.add("config has " + config.diffIds().size() + " diff_ids for " + manifest.layers().size() + " layers");
    }
    for (int i = 0; i < manifest.layers().size(); i++) {
      Descriptor layer = manifest.layers().get(i);
      if (!MediaType.isLayer(layer.mediaType())) {
        problems.add("layer " + i + " " + layer.digest() + ": not a layer media type: " + layer.mediaType());
        continue;
      }
      if (docker != layer.mediaType().startsWith("application/vnd.docker.")) {
        problems.add("layer " + i + " " + layer.digest() + ": media type " + layer.mediaType() + " in a "
            + (docker ? "Docker" : "OCI") + " manifest");
      }
      checkLayer(i, layer, i < config.diffIds().size() ? config.diffIds().get(i) : null);
    }
  }

  private void checkLayer(int i, Descriptor layer, Digest diffId) throws IOException {
    Path path = blobs.path(layer.digest());
    String what = "layer " + i + " " + layer.digest();
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(what + ": blob missing");
      return;
    }
    MessageDigest compressed = Digest.newSha256();
    MessageDigest uncompressed = Digest.newSha256();
    long[] rawCount = new long[1];
    Set<String> seen = new HashSet<>();
    MediaType.Compression declared = MediaType.layerCompression(layer.mediaType());
    try (InputStream probe = new BufferedInputStream(Files.newInputStream(path))) {
      MediaType.Compression actual = Decompress.detect(probe);
      if (actual != declared) {
        problems.add(what + ": media type says " + declared + " but the blob is " + actual);
      }
    }
    try (InputStream file = Files.newInputStream(path);
        InputStream counted = new CountingStream(new DigestInputStream(file, compressed), rawCount);
        InputStream raw = new BufferedInputStream(counted, 1 << 16);
        InputStream plain = Decompress.open(raw, Long.MAX_VALUE);
        DigestInputStream hashed = new DigestInputStream(plain, uncompressed)) {
      TarArchiveInputStream tar = new TarArchiveInputStream(hashed);
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = e.getName().replaceAll("/+$", "");
        if (!seen.add(name)) {
          problems.add(what + ": duplicate file path " + name);
        }
      }
      hashed.transferTo(OutputStream.nullOutputStream()); // the diffID covers the padding after the tar too
      raw.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      problems.add(what + ": unreadable: " + e.getMessage());
      return;
    }
    if (rawCount[0] != layer.size()) {
      problems.add(what + ": size " + rawCount[0] + " != descriptor size " + layer.size());
    }
    Digest actual = Digest.sha256(compressed.digest());
    if (!actual.equals(layer.digest())) {
      problems.add(what + ": content hashes to " + actual);
    }
    Digest actualDiffId = Digest.sha256(uncompressed.digest());
    if (diffId != null && !actualDiffId.equals(diffId)) {
      problems.add(what + ": uncompressed content hashes to " + actualDiffId + " but diff_ids[" + i + "] is " + diffId);
    }
  }

  /** Counts the raw bytes read, to check the descriptor's size. */
  private static final class CountingStream extends java.io.FilterInputStream {
    private final long[] count;

    CountingStream(InputStream in, long[] count) {
      super(in);
      this.count = count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count[0]++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count[0] += n;
      }
      return n;
    }
  }
}

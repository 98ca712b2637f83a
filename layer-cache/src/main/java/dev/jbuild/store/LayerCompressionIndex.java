package dev.jbuild.store;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers which compressed blob a layer (by diffID) became, so nothing is compressed twice (DESIGN 2). Each
 * mapping is one small JSON descriptor in {@code compression/<alg>/<hex>/<gzip|zstd>}, replaced by rename; a lost
 * or damaged file only costs one more compression, so damage reads as a miss.
 */
public final class LayerCompressionIndex {
  private static final long MAX_ENTRY_BYTES = 64 * 1024;

  private final Path dir;
  private final Path tmpDir;
  private final BlobStore blobs;

  LayerCompressionIndex(Path root, BlobStore blobs) {
    this.dir = root.resolve("compression");
    this.tmpDir = root.resolve("tmp");
    this.blobs = blobs;
  }

  /** The compressed blob recorded for {@code diffId}, only if that blob is still in the store with its size. */
  public Optional<Descriptor> lookup(Digest diffId, MediaType.Compression c) throws StoreException {
    Path file = entry(diffId, c);
    byte[] bytes;
    try {
      bytes = Fs.readCapped(file, MAX_ENTRY_BYTES, "compression entry");
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
    Descriptor d;
    try {
      d = OciJson.readDescriptor(OciJson.readObject(bytes, file.toString()), file.toString());
    } catch (MalformedContentException e) {
      return Optional.empty();
    }
    if (!blobs.has(d.digest()) || blobs.size(d.digest()) != d.size() || MediaType.layerCompression(d.mediaType()) != c) {
      return Optional.empty();
    }
    return Optional.of(d);
  }

  /** Records that {@code diffId} compressed with {@code c} is {@code compressed}. */
  public void record(Digest diffId, MediaType.Compression c, Descriptor compressed) throws StoreException {
    Objects.requireNonNull(compressed, "compressed");
    Path file = entry(diffId, c);
    try {
      Files.createDirectories(file.getParent());
      Fs.atomicWrite(file, OciJson.bytes(OciJson.descriptorNode(compressed)), tmpDir);
    } catch (IOException e) {
      throw new StoreException("cannot record compression of " + diffId + ": " + e.getMessage(), e);
    }
  }

  private Path entry(Digest diffId, MediaType.Compression c) {
    Objects.requireNonNull(diffId, "diffId");
    if (c == null || c == MediaType.Compression.NONE) {
      throw new IllegalArgumentException("only gzip and zstd mappings are recorded, not " + c);
    }
    return dir.resolve(diffId.algorithm()).resolve(diffId.hex()).resolve(c.name().toLowerCase(Locale.ROOT));
  }
}

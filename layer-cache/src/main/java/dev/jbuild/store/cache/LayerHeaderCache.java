package dev.jbuild.store.cache;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the builder learned from a layer's tar headers, kept per layer blob so that it reads a layer's headers once,
 * not once per build (DESIGN 4 and 8). A COPY or WORKDIR needs to know what the image holds so far; without this,
 * every build with one re-read and gunzipped every layer of its base image, ~2 s for a Debian base.
 *
 * <p>Files live in {@code ROOT/cache/layers/HEX}, HEX being the hex of the layer blob's digest. The blob is
 * immutable, so an entry never goes stale; its content is opaque here (the builder's format, with its own version).
 * The builder also keeps here, under a digest of a whole chain of layers, its file index of that chain, so a build
 * on the same layers loads one snapshot instead of replaying every layer; no blob has such a digest, so {@link
 * #sweep} removes those at every prune, and they are remade on use.
 * Like everything under {@code cache/}, an entry may be deleted at any time: the cost is one more read of the layer.
 * Writes are atomic (temp file, fsync, link): a reader sees a whole entry or none.
 */
public final class LayerHeaderCache {
  /** The directory under {@code cache/}; not part of the build cache proper, so emptying that keeps it. */
  public static final String LAYERS_DIR = "layers";
  /** Far above any real layer's headers (a million entries is ~100 MB); a bigger file is treated as damaged. */
  private static final long MAX_BYTES = 256L << 20;

  private final Path dir;
  private final Path tmpDir;

  private LayerHeaderCache(Path cacheDir) {
    this.dir = cacheDir.resolve(LAYERS_DIR);
    this.tmpDir = cacheDir.resolve("tmp");
  }

  /** The cache of the store at {@code storeRoot}. Opening touches nothing on disk. */
  public static LayerHeaderCache open(Path storeRoot) {
    return new LayerHeaderCache(storeRoot.resolve(BuildCache.DIRECTORY));
  }

  /** The entry of {@code layer}, or empty when there is none (or it cannot be read: the caller rebuilds it). */
  public Optional<byte[]> get(Digest layer) {
    try {
      return Optional.of(CacheFiles.readCapped(dir.resolve(layer.hex()), MAX_BYTES));
    } catch (IOException e) {
      return Optional.empty(); // none yet (NoSuchFileException), or unreadable
    }
  }

  /** Stores the entry of {@code layer} unless one exists already (two builds may race to write the same one). */
  public void put(Digest layer, byte[] content) throws StoreException {
    try {
      Files.createDirectories(dir);
      Files.createDirectories(tmpDir);
      CacheFiles.createIfAbsent(dir.resolve(layer.hex()), content, tmpDir);
    } catch (IOException e) {
      throw new StoreException("cannot write the layer header cache " + dir.resolve(layer.hex()) + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Removes the entries whose blob is gone ({@code blobExists} says no), as prune does after deleting blobs; entries
   * are per blob, like snapshots, so emptying the build cache leaves them. Returns how many it removed.
   */
  public int sweep(java.util.function.Predicate<Digest> blobExists) throws StoreException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        Digest blob;
        try {
          blob = Digest.parse((name.length() == 128 ? "sha512:" : "sha256:") + name);
        } catch (RuntimeException | dev.jbuild.oci.InvalidDigestException e) {
          blob = null; // not ours: a stray file
        }
        if (blob == null || !blobExists.test(blob)) {
          if (Files.deleteIfExists(entry)) {
            removed++;
          }
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot sweep the layer header cache " + dir + ": " + e.getMessage(), e);
    }
    return removed;
  }

  /** Removes the entry of {@code layer}: a damaged one, found while decoding it. */
  public void remove(Digest layer) {
    try {
      Files.deleteIfExists(dir.resolve(layer.hex()));
    } catch (IOException e) {
      // replaced on the next put anyway
    }
  }
}

package dev.jbuild.store.admin;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/** The build cache as a plain directory ({@code ROOT/cache/}) that pins nothing; see {@link BuildCacheView}. */
public final class DirectoryBuildCache implements BuildCacheView {
  private final Path dir;

  public DirectoryBuildCache(Store store) {
    this.dir = new StoreLayout(store).cache;
  }

  @Override
  public Set<Digest> pinnedBlobs() {
    return Set.of();
  }

  @Override
  public Usage usage() throws StoreException {
    try {
      Trees.Size s = Trees.size(dir);
      return new Usage(s.bytes(), s.entries());
    } catch (IOException e) {
      throw new StoreException("cannot measure the build cache " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes what is inside the directory, keeping the directory itself for whoever writes the cache next, and the
   * layer header cache, whose entries belong to blobs.
   */
  @Override
  public Usage clear() throws StoreException {
    Usage before = usage();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return new Usage(0, 0);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        // The layer header cache holds facts about blobs, not build results: it goes with its blobs (StoreGc).
        if (!e.getFileName().toString().equals(dev.jbuild.store.cache.LayerHeaderCache.LAYERS_DIR)) {
          Trees.delete(e);
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot empty the build cache " + dir + ": " + e.getMessage(), e);
    }
    return before;
  }
}

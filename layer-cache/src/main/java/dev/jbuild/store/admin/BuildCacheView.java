package dev.jbuild.store.admin;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.StoreException;
import java.util.Set;

/**
 * The build cache as garbage collection sees it: what it pins, how big it is, and how to empty it. This is the
 * extension point for the build cache index ({@code ROOT/cache/}): until it pins blobs of its own,
 * {@link DirectoryBuildCache} only measures and clears the directory.
 */
public interface BuildCacheView {
  /** Blobs the cache keeps alive even though no image references them (GC roots besides index.json). */
  Set<Digest> pinnedBlobs() throws StoreException;

  /** Bytes and entries the cache takes on disk. */
  Usage usage() throws StoreException;

  /** Empties the cache ({@code prune --all}); returns what that freed. */
  Usage clear() throws StoreException;

  /** Disk usage of the cache. */
  record Usage(long bytes, long entries) {}
}

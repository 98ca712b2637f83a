package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import java.util.List;

/**
 * What a prune removed.
 *
 * @param deletedBlobs blobs deleted, in the order they were reached (an image's manifest, config, layers)
 * @param blobBytes bytes those blobs took
 * @param snapshots extracted layer trees deleted
 * @param snapshotBytes bytes those trees took
 * @param compressionRecords stale diffID-to-compressed-blob records deleted
 * @param removedEntries index.json entries removed ({@code --all}: the untagged ones), as they were stored
 * @param buildCacheBytes bytes of build cache removed ({@code --all})
 * @param tempFiles leftover temp files of crashed writers removed
 * @param keptRecent unreferenced blobs kept because they are younger than the grace period
 * @param keptRecentBytes bytes of those
 */
public record PruneReport(
    List<Digest> deletedBlobs,
    long blobBytes,
    int snapshots,
    long snapshotBytes,
    int compressionRecords,
    List<Descriptor> removedEntries,
    long buildCacheBytes,
    int tempFiles,
    int keptRecent,
    long keptRecentBytes) {

  public PruneReport {
    deletedBlobs = List.copyOf(deletedBlobs);
    removedEntries = List.copyOf(removedEntries);
  }

  /** Everything freed: blobs, snapshots and build cache. */
  public long bytesFreed() {
    return blobBytes + snapshotBytes + buildCacheBytes;
  }

  PruneReport withExtras(List<Descriptor> entries, long cacheBytes, int temps) {
    return new PruneReport(deletedBlobs, blobBytes, snapshots, snapshotBytes, compressionRecords, entries, cacheBytes,
        temps, keptRecent, keptRecentBytes);
  }
}

package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.ImageStore;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Disk usage per category, for {@code jbuild system df}. "Reclaimable" is what {@code prune} would free with no
 * grace period: unreferenced blobs and snapshots and leftover temp files; for images, what only untagged entries
 * keep ({@code prune --all}), and all of the build cache ({@code prune --all}).
 */
public final class DiskUsage {
  private final Store store;
  private final ImageUsers users;
  private final BuildCacheView buildCache;

  public DiskUsage(Store store) {
    this(store, ImageUsers.NONE, new DirectoryBuildCache(store));
  }

  public DiskUsage(Store store, ImageUsers users, BuildCacheView buildCache) {
    this.store = Objects.requireNonNull(store, "store");
    this.users = Objects.requireNonNull(users, "users");
    this.buildCache = Objects.requireNonNull(buildCache, "buildCache");
  }

  /**
   * One row of {@code system df}.
   *
   * @param type Images, Blobs, Snapshots, Build cache or Temp files
   * @param total how many there are
   * @param active how many are in use (tagged images, reachable blobs, referenced snapshots, recent temp files)
   * @param bytes bytes on disk
   * @param reclaimableBytes bytes a prune would free
   */
  public record Category(String type, long total, long active, long bytes, long reclaimableBytes) {}

  /** All rows, and the number of tags. */
  public record Report(List<Category> categories, int tags) {
    public Report {
      categories = List.copyOf(categories);
    }
  }

  public Report measure() throws StoreException {
    List<Descriptor> entries = store.images().entries();
    Set<Digest> inUse = users.manifestsInUse();
    List<Descriptor> kept = new ArrayList<>();
    Set<Digest> images = new LinkedHashSet<>();
    Set<Digest> activeImages = new HashSet<>();
    int tags = 0;
    for (Descriptor d : entries) {
      images.add(d.digest());
      boolean tagged = d.annotations().containsKey(ImageStore.REF_NAME);
      tags += tagged ? 1 : 0;
      if (tagged || inUse.contains(d.digest())) {
        kept.add(d);
        activeImages.add(d.digest());
      }
    }
    Reachability all = Reachability.of(store, entries, inUse, buildCache.pinnedBlobs());
    Reachability tagged = Reachability.of(store, kept, inUse, buildCache.pinnedBlobs());

    Map<Digest, Long> sizes = new HashMap<>();
    for (Digest d : store.blobs().list()) {
      sizes.put(d, store.blobs().size(d));
    }
    long blobBytes = 0;
    long unreachableBytes = 0;
    long imageBytes = 0;
    long untaggedOnlyBytes = 0;
    long reachableCount = 0;
    for (Map.Entry<Digest, Long> e : sizes.entrySet()) {
      blobBytes += e.getValue();
      if (all.blobs.contains(e.getKey())) {
        reachableCount++;
        imageBytes += e.getValue();
        if (!tagged.blobs.contains(e.getKey())) {
          untaggedOnlyBytes += e.getValue();
        }
      } else {
        unreachableBytes += e.getValue();
      }
    }

    List<Category> rows = new ArrayList<>();
    rows.add(new Category("Images", images.size(), activeImages.size(), imageBytes, untaggedOnlyBytes));
    rows.add(new Category("Blobs", sizes.size(), reachableCount, blobBytes, unreachableBytes));
    rows.add(snapshots(all));
    BuildCacheView.Usage cache = buildCache.usage();
    rows.add(new Category("Build cache", cache.entries(), 0, cache.bytes(), cache.bytes()));
    rows.add(temps());
    return new Report(rows, tags);
  }

  private Category snapshots(Reachability live) throws StoreException {
    StoreLayout layout = new StoreLayout(store);
    long total = 0;
    long active = 0;
    long bytes = 0;
    long reclaimable = 0;
    for (Path algDir : StoreGc.list(layout.snapshots)) {
      for (Path dir : StoreGc.list(algDir)) {
        Digest diffId = StoreLayout.digestOf(algDir.getFileName().toString(), dir.getFileName().toString())
            .orElse(null);
        if (diffId == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        long size;
        try {
          size = Trees.size(dir).bytes();
        } catch (IOException e) {
          throw new StoreException("cannot measure " + layout.show(dir) + ": " + e.getMessage(), e);
        }
        total++;
        bytes += size;
        boolean complete = !Files.exists(dir.resolve(StoreLayout.INCOMPLETE_MARKER), LinkOption.NOFOLLOW_LINKS);
        if (live.diffIds.contains(diffId) && complete) {
          active++;
        } else {
          reclaimable += size;
        }
      }
    }
    return new Category("Snapshots", total, active, bytes, reclaimable);
  }

  private Category temps() throws StoreException {
    Instant recent = Instant.now().minus(Store.DEFAULT_STALE_TEMP_AGE);
    long total = 0;
    long active = 0;
    long bytes = 0;
    long reclaimable = 0;
    for (Path f : StoreGc.list(new StoreLayout(store).tmp)) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long size = a.isDirectory() ? Trees.size(f).bytes() : a.size();
        total++;
        bytes += size;
        if (a.lastModifiedTime().toInstant().isAfter(recent)) {
          active++;
        } else {
          reclaimable += size;
        }
      } catch (IOException e) {
        // finished (renamed into place) while we looked
      }
    }
    return new Category("Temp files", total, active, bytes, reclaimable);
  }
}

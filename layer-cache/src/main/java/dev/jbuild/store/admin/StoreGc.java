package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.ImageStore;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoreLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Garbage collection of the store: deletes the blobs, compression records and snapshots that no {@code
 * index.json} entry (tagged or untagged) and no build cache pin reaches; see the package documentation for what
 * "reaches" means and why a grace period protects recent files.
 *
 * <pre>{@code
 * PruneReport r = new StoreGc(store).prune(false);
 * }</pre>
 */
public final class StoreGc {
  /** How long an unreferenced file is presumed to belong to a build that has not tagged its image yet. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

  private final Store store;
  private final StoreLayout layout;
  private final Duration grace;
  private final BuildCacheView buildCache;
  private final ImageUsers users;

  /** A collector with the default grace period, the build cache directory and no containers. */
  public StoreGc(Store store) {
    this(store, DEFAULT_GRACE, new DirectoryBuildCache(store), ImageUsers.NONE);
  }

  /**
   * A collector that keeps unreferenced files younger than {@code grace}. {@link Duration#ZERO} deletes them all,
   * which is safe only while no other jbuild process writes to the store (tests, maintenance windows). Images
   * that {@code users} report in use are kept as if tagged.
   */
  public StoreGc(Store store, Duration grace, BuildCacheView buildCache, ImageUsers users) {
    this.store = Objects.requireNonNull(store, "store");
    this.users = Objects.requireNonNull(users, "users");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.buildCache = Objects.requireNonNull(buildCache, "buildCache");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("negative grace period " + grace);
    }
    this.layout = new StoreLayout(store);
  }

  /**
   * Deletes what nothing reaches. With {@code all}, first removes the untagged index.json entries and empties the
   * build cache, so everything only they kept goes too (whatever their age: it was referenced until now).
   */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public PruneReport prune(boolean all) throws StoreException {
    Instant cutoff = cutoff();
    try (StoreLock held = store.images().lock()) {
      List<Descriptor> removed = List.of();
      long cacheBytes = 0;
      Reachability forced = Reachability.of(store, List.of());
      if (all) {
        List<Descriptor> untagged = new ArrayList<>();
        for (Descriptor d : store.images().entries()) {
          if (!d.annotations().containsKey(ImageStore.REF_NAME)) {
            untagged.add(d);
          }
        }
        forced = Reachability.of(store, untagged);
        removed = store.images().removeEntries(d -> !d.annotations().containsKey(ImageStore.REF_NAME));
        cacheBytes = buildCache.clear().bytes();
      }
      Reachability live = live();
      PruneReport report = sweep(live, new Scope(true, forced.blobs, forced.diffIds, cutoff));
      // Facts derived from blobs (like snapshots) go with their blob, not with the build cache.
      dev.jbuild.store.cache.LayerHeaderCache.open(store.root()).sweep(d -> store.blobs().has(d));
      int temps = store.sweepTemp(grace);
      return report.withExtras(removed, cacheBytes, temps);
    }
  }

  Instant cutoff() {
    return Instant.now().minus(grace);
  }

  /** What the current roots keep alive: index.json, images in use, and the build cache's pins. */
  Reachability live() throws StoreException {
    return Reachability.of(store, store.images().entries(), users.manifestsInUse(), buildCache.pinnedBlobs());
  }

  /**
   * What to sweep: everything unreachable ({@code everything}) or only the given blobs and diffIDs; the forced ones
   * go whatever their age, the others only when older than {@code cutoff}.
   */
  record Scope(boolean everything, Set<Digest> forcedBlobs, Set<Digest> forcedDiffIds, Instant cutoff) {}

  /** Deletes, within {@code scope}, what {@code live} does not reach. The caller holds the ref lock. */
  PruneReport sweep(Reachability live, Scope scope) throws StoreException {
    Counts c = new Counts();
    sweepBlobs(live, scope, c);
    sweepCompressionRecords(live, scope, c);
    sweepSnapshots(live, scope, c);
    return new PruneReport(c.deleted, c.blobBytes, c.snapshots, c.snapshotBytes, c.records, List.of(), 0, 0,
        c.keptRecent, c.keptRecentBytes);
  }

  private static final class Counts {
    final List<Digest> deleted = new ArrayList<>();
    long blobBytes;
    int snapshots;
    long snapshotBytes;
    int records;
    int keptRecent;
    long keptRecentBytes;
  }

  @SuppressWarnings("try") // the lock is held for the block, never referenced
  private void sweepBlobs(Reachability live, Scope scope, Counts c) throws StoreException {
    Set<Digest> candidates = new LinkedHashSet<>();
    for (Digest d : store.blobs().list()) {
      if (!live.blobs.contains(d) && (scope.everything() || scope.forcedBlobs().contains(d))) {
        candidates.add(d);
      }
    }
    // Report an image's blobs in the order they were reached (manifest first), the rest by digest.
    List<Digest> ordered = new ArrayList<>();
    for (Digest d : scope.forcedBlobs()) {
      if (candidates.contains(d)) {
        ordered.add(d);
      }
    }
    for (Digest d : candidates) {
      if (!scope.forcedBlobs().contains(d)) {
        ordered.add(d);
      }
    }
    for (Digest d : ordered) {
      // Under the blob's lock the file cannot be replaced or refreshed behind our back (see BlobStore.put).
      try (StoreLock held = store.blobs().lock(d)) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(store.blobs().path(d), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue;
        } catch (IOException e) {
          throw new StoreException("cannot stat blob " + d + ": " + e.getMessage(), e);
        }
        if (!scope.forcedBlobs().contains(d) && a.lastModifiedTime().toInstant().isAfter(scope.cutoff())) {
          c.keptRecent++;
          c.keptRecentBytes += a.size();
          continue;
        }
        if (store.blobs().delete(d)) {
          c.deleted.add(d);
          c.blobBytes += a.size();
        }
      }
    }
  }

  private void sweepCompressionRecords(Reachability live, Scope scope, Counts c) throws StoreException {
    for (Path algDir : list(layout.compression)) {
      for (Path hexDir : list(algDir)) {
        Digest diffId = StoreLayout.digestOf(algDir.getFileName().toString(), hexDir.getFileName().toString())
            .orElse(null);
        if (diffId == null || !Files.isDirectory(hexDir, LinkOption.NOFOLLOW_LINKS)) {
          continue; // not a record: system check reports it
        }
        for (Path record : list(hexDir)) {
          MediaType.Compression kind = compressionOf(record.getFileName().toString());
          if (kind != null && staleRecord(live, scope, diffId, kind, record)) {
            delete(record);
            c.records++;
          }
        }
        Trees.deleteIfEmpty(hexDir);
      }
    }
  }

  private boolean staleRecord(Reachability live, Scope scope, Digest diffId, MediaType.Compression kind, Path record)
      throws StoreException {
    boolean liveLayer = live.diffIds.contains(diffId);
    boolean usable = store.compression().lookup(diffId, kind).isPresent();
    if (liveLayer && usable) {
      return false;
    }
    boolean forced = scope.forcedDiffIds().contains(diffId);
    if (!scope.everything() && !forced) {
      return false;
    }
    if (!usable) {
      return true; // its blob is gone or it is damaged: it can only ever read as a miss
    }
    return forced || olderThan(record, scope.cutoff());
  }

  private void sweepSnapshots(Reachability live, Scope scope, Counts c) throws StoreException {
    for (Path algDir : list(layout.snapshots)) {
      for (Path dir : list(algDir)) {
        Digest diffId = StoreLayout.digestOf(algDir.getFileName().toString(), dir.getFileName().toString())
            .orElse(null);
        if (diffId == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue; // not a snapshot: system check reports it
        }
        boolean liveLayer = live.diffIds.contains(diffId);
        boolean incomplete = Files.exists(dir.resolve(StoreLayout.INCOMPLETE_MARKER), LinkOption.NOFOLLOW_LINKS);
        if (liveLayer && !incomplete) {
          continue;
        }
        boolean forced = scope.forcedDiffIds().contains(diffId);
        if (!scope.everything() && !forced) {
          continue;
        }
        // A live layer's snapshot goes only as a crashed extraction, never one that may be running now.
        Instant limit = liveLayer || !forced ? scope.cutoff() : Instant.MAX;
        if (!olderThan(dir, limit)) {
          continue;
        }
        try {
          long bytes = Trees.size(dir).bytes();
          Trees.delete(dir);
          c.snapshots++;
          c.snapshotBytes += bytes;
        } catch (IOException e) {
          throw new StoreException("cannot delete snapshot " + layout.show(dir) + ": " + e.getMessage(), e);
        }
      }
    }
  }

  static MediaType.Compression compressionOf(String fileName) {
    if (fileName.equals("gzip")) {
      return MediaType.Compression.GZIP;
    }
    if (fileName.equals("zstd")) {
      return MediaType.Compression.ZSTD;
    }
    return null;
  }

  static String recordNameOf(MediaType.Compression kind) {
    return kind == MediaType.Compression.GZIP ? "gzip" : "zstd";
  }

  private static boolean olderThan(Path p, Instant cutoff) throws StoreException {
    if (cutoff.equals(Instant.MAX)) {
      return true;
    }
    try {
      return !Trees.mtime(p).toInstant().isAfter(cutoff);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new StoreException("cannot stat " + p + ": " + e.getMessage(), e);
    }
  }

  private void delete(Path p) throws StoreException {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new StoreException("cannot delete " + layout.show(p) + ": " + e.getMessage(), e);
    }
  }

  /** The entries of {@code dir}, or none when it does not exist (an old store without the folder). */
  static List<Path> list(Path dir) throws StoreException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(out::add);
    } catch (IOException e) {
      throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }
}

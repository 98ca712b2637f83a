package dev.jbuild.store.layers;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.InvalidDigestException;
import dev.jbuild.store.CorruptStoreException;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoreLock;
import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.io.HandOff;
import dev.jbuild.store.cache.HeaderLog;
import dev.jbuild.store.cache.LayerHeaderCache;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The store's extracted layer trees, one per diffID, made once and then shared (see the package documentation for
 * the layout).
 *
 * <pre>{@code
 * Path lower = LayerTrees.of(store).ensure(layerDescriptor, diffId); // ROOT/snapshots/sha256/HEX/rootfs
 * }</pre>
 *
 * <p>A tree appears only by rename of a fully extracted, diffID-verified temp directory, so a crash leaves either
 * nothing or a complete tree (K09); leftovers are removed by the next {@link #ensure} of the same layer or by
 * {@link #sweep()}. Processes and threads extracting the same layer serialise on a store lock: one extracts, the
 * others wait and then find the tree. Whiteouts become overlayfs whiteouts ({@link ApplyOptions.Whiteouts#OVERLAY}).
 * Do not call {@link #ensure} while holding a blob lock of the store.
 */
public final class LayerTrees {
  private static final String INCOMPLETE = "incomplete";
  private static final String TMP_PREFIX = "tmp-";

  private final Store store;
  private final Path dir;
  private final ApplyOptions options;

  private LayerTrees(Store store, ApplyOptions options) {
    this.store = store;
    this.dir = store.root().resolve("snapshots");
    this.options = options;
  }

  /**
   * The trees of {@code store}, extracted with {@link ApplyOptions#defaults()}: owned as in the layer when running
   * as (namespace) root, by the current user otherwise.
   */
  public static LayerTrees of(Store store) {
    return of(store, ApplyOptions.defaults());
  }

  /** The trees of {@code store} extracted with {@code options} (whiteouts are always made overlay whiteouts). */
  public static LayerTrees of(Store store, ApplyOptions options) {
    Objects.requireNonNull(store, "store");
    return new LayerTrees(store, options.withWhiteouts(ApplyOptions.Whiteouts.OVERLAY));
  }

  /**
   * The root of the tree of layer {@code diffId}, extracting {@code layerBlob} (gzip, zstd or plain, from the blob
   * store) first if needed. The blob's digest is checked over the whole blob and the diffID over the whole
   * uncompressed stream before the tree becomes visible.
   *
   * @throws StoreException when the blob is missing or corrupt, the diffID does not match, or the layer is unsafe
   *     ({@link dev.jbuild.store.apply.LayerApplyException}); nothing is left behind
   */
  @SuppressWarnings("try") // the lock is held for the block
  public Path ensure(Descriptor layerBlob, Digest diffId) throws IOException, StoreException {
    Objects.requireNonNull(layerBlob, "layerBlob");
    checkSha256(diffId);
    Optional<Path> found = find(diffId);
    if (found.isPresent()) {
      return found.get();
    }
    try (StoreLock lock = lockOf(diffId)) {
      found = find(diffId);
      if (found.isPresent()) {
        return found.get();
      }
      sweepLeftovers(diffId);
      long stored = store.blobs().size(layerBlob.digest());
      if (stored != layerBlob.size()) {
        throw new CorruptStoreException("blob " + layerBlob.digest() + " has " + stored + " bytes, the descriptor says "
            + layerBlob.size());
      }
      Path tmp = begin(diffId);
      try {
        extract(layerBlob, diffId, Files.createDirectory(tmp.resolve("rootfs")));
        return publish(tmp, diffId);
      } catch (IOException | StoreException | RuntimeException e) {
        LayerApplier.deleteTree(tmp);
        throw e;
      }
    }
  }

  /**
   * Publishes {@code candidate} as the tree of layer {@code diffId}, so that layer is never extracted from its blob.
   * This is how a RUN step's overlay upper dir becomes the tree of the layer written from it, as BuildKit and buildah
   * keep theirs. The caller vouches that {@code candidate} holds exactly what the layer holds (overlay whiteouts,
   * owners as {@link #ensure} would make them) and that nothing else uses it. It is moved, never copied.
   *
   * @return true when {@code candidate} became the tree; false when the tree already exists or {@code candidate} is
   *     not on the store's filesystem, and {@code candidate} is then left where it was
   * @throws IOException when the tree cannot be published once {@code candidate} was moved; nothing of it is left
   */
  @SuppressWarnings("try") // the lock is held for the block
  public boolean adopt(Path candidate, Digest diffId) throws IOException, StoreException {
    Objects.requireNonNull(candidate, "candidate");
    checkSha256(diffId);
    if (find(diffId).isPresent()) {
      return false;
    }
    try (StoreLock lock = lockOf(diffId)) {
      if (find(diffId).isPresent()) {
        return false;
      }
      sweepLeftovers(diffId);
      Path tmp = begin(diffId);
      try {
        try {
          Files.move(candidate, tmp.resolve("rootfs"), StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
          LayerApplier.deleteTree(tmp);
          return false; // another filesystem: the tree will be extracted when first needed
        }
        publish(tmp, diffId);
        return true;
      } catch (IOException | RuntimeException e) {
        LayerApplier.deleteTree(tmp);
        throw e;
      }
    }
  }

  /**
   * Writes {@code entries} as a layer, as {@link dev.jbuild.store.tar.LayerBlobs#writeLayer} does, and extracts the
   * same tar, while it is being written, into what becomes the layer's tree: a RUN step after a COPY then finds the
   * tree made instead of reading the layer back, and the work runs on a second core. The extraction is the usual safe
   * one, and what the headers say is recorded too. It is best effort: when it fails, or where files cannot keep
   * their owners (not uid 0), the layer is written all the same and its tree is extracted when first needed.
   */
  @SuppressWarnings("try") // the file lock is held for the block
  public Layer writeLayerWithTree(List<LayerEntry> entries, Instant sourceDateEpoch)
      throws IOException, StoreException {
    if (!options.sameOwner()) {
      return LayerBlobs.writeLayer(store.blobs(), entries, sourceDateEpoch);
    }
    sweepAbandonedCandidates();
    // Outside the tmp- names that extractions and sweep() use, and held by a file lock of its own rather than a
    // store lock: the blob and tree locks taken below are striped, and holding a third stripe could deadlock.
    Files.createDirectories(dir);
    Path candidate = Files.createDirectory(dir.resolve(CANDIDATE_PREFIX + UUID.randomUUID()));
    try (java.nio.channels.FileChannel held = java.nio.channels.FileChannel.open(candidate.resolve(CANDIDATE_LOCK),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock live = held.lock()) {
      Path rootfs = Files.createDirectory(candidate.resolve("rootfs"));
      HeaderLog headers = new HeaderLog();
      Layer layer;
      boolean extracted;
      try (HandOff<Void> tree = new HandOff<>("jbuild-layer-tree", in -> {
        LayerApplier.apply(in, rootfs, options, headers::add);
        return null;
      })) {
        try {
          layer = LayerBlobs.writeLayer(store.blobs(), entries, sourceDateEpoch, tree);
        } finally {
          extracted = finished(tree); // waits for the extraction even when writing failed
        }
      }
      if (extracted) {
        try {
          LayerHeaderCache.open(store.root()).put(layer.blob().digest(), headers.bytes());
          adopt(rootfs, layer.diffId());
        } catch (IOException | StoreException | RuntimeException e) {
          // The layer is written; its tree is extracted from it when first needed.
        }
      }
      return layer;
    } finally {
      try {
        LayerApplier.deleteTree(candidate); // what is left of it once the tree was adopted: the lock file
      } catch (IOException e) {
        // sweepAbandonedCandidates() takes it later
      }
    }
  }

  /** Whether the extraction behind {@code tree} completed; it is waited for either way. */
  private static boolean finished(HandOff<Void> tree) {
    try {
      tree.finish();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static final String CANDIDATE_PREFIX = "writing-";
  private static final String CANDIDATE_LOCK = "lock";

  /** Deletes the candidates of {@link #writeLayerWithTree} whose writer died: nobody holds their file lock. */
  private void sweepAbandonedCandidates() {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, CANDIDATE_PREFIX + "*")) {
      for (Path c : found) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(c.resolve(CANDIDATE_LOCK),
            java.nio.file.StandardOpenOption.WRITE)) {
          java.nio.channels.FileLock free = ch.tryLock();
          if (free == null) {
            continue; // another process is writing it
          }
          try {
            LayerApplier.deleteTree(c);
          } finally {
            free.release();
          }
        } catch (java.nio.channels.OverlappingFileLockException e) {
          // this process is writing it
        } catch (IOException e) {
          // vanished, or not ours to judge: left for the next sweep
        }
      }
    } catch (IOException e) {
      // housekeeping only
    }
  }

  /**
   * A fresh temp dir for the tree of {@code diffId}, marked incomplete before anything is written to it (K09). Call
   * under the tree's lock, after {@link #sweepLeftovers}.
   */
  private Path begin(Digest diffId) throws IOException {
    Path tmp = dir.resolve(TMP_PREFIX + diffId.hex() + "-" + UUID.randomUUID());
    Files.createDirectories(tmp);
    try {
      Files.createFile(tmp.resolve(INCOMPLETE)); // visible as unfinished to anyone looking
    } catch (IOException | RuntimeException e) {
      LayerApplier.deleteTree(tmp);
      throw e;
    }
    return tmp;
  }

  /** Makes the complete {@code tmp/rootfs} durable and renames it into place; returns the tree's root. */
  private Path publish(Path tmp, Digest diffId) throws IOException {
    syncFilesystem(tmp);
    Files.delete(tmp.resolve(INCOMPLETE));
    Path target = treeDir(diffId);
    Files.createDirectories(target.getParent());
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(target.getParent());
    return target.resolve("rootfs");
  }

  private void extract(Descriptor blob, Digest diffId, Path rootfs) throws IOException, StoreException {
    MessageDigest sha = Digest.newSha256();
    // The same pass records what the headers say, so a build never reads this layer again to learn it.
    HeaderLog headers = new HeaderLog();
    try (InputStream raw = store.blobs().open(blob.digest())) {
      try {
        InputStream tar = new DigestInputStream(LayerApplier.decompressed(raw, options.maxBytes()), sha);
        LayerApplier.apply(tar, rootfs, options, headers::add);
        tar.transferTo(OutputStream.nullOutputStream()); // whatever the decompressor still holds
        raw.transferTo(OutputStream.nullOutputStream()); // to the end: the blob stream verifies its digest there
      } catch (IOException e) {
        if (e.getCause() instanceof DigestMismatchException m) {
          throw new CorruptStoreException("layer blob " + blob.digest() + " is corrupt: " + m.getMessage(), m);
        }
        throw new StoreException("cannot extract layer " + blob.digest() + ": " + e.getMessage(), e);
      }
    }
    Digest actual = Digest.sha256(sha.digest());
    if (!actual.equals(diffId)) {
      throw new StoreException("layer " + blob.digest() + " uncompresses to " + actual + ", not to its diffID "
          + diffId);
    }
    try {
      LayerHeaderCache.open(store.root()).put(blob.digest(), headers.bytes()); // kept as it is when one exists
    } catch (StoreException e) {
      // only a saving: a build reads the headers from the blob instead
    }
  }

  /** The tree of {@code diffId} if it is complete. */
  public Optional<Path> find(Digest diffId) {
    checkSha256(diffId);
    Path tree = treeDir(diffId);
    Path rootfs = tree.resolve("rootfs");
    if (Files.isDirectory(rootfs, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(tree.resolve(INCOMPLETE), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(rootfs);
    }
    return Optional.empty();
  }

  /** The diffIDs of all complete trees, sorted. */
  public List<Digest> list() throws StoreException {
    List<Digest> out = new ArrayList<>();
    Path shaDir = dir.resolve(Digest.SHA256);
    if (!Files.isDirectory(shaDir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> trees = Files.newDirectoryStream(shaDir)) {
      for (Path t : trees) {
        try {
          Digest d = Digest.parse(Digest.SHA256 + ":" + t.getFileName());
          if (find(d).isPresent()) {
            out.add(d);
          }
        } catch (InvalidDigestException e) {
          // not a tree of ours
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot list " + shaDir + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  /**
   * Deletes the tree of {@code diffId}; returns whether it existed. It is first renamed out of sight, so a crash
   * mid-delete leaves a leftover for {@link #sweep()}, never a half tree. The caller makes sure no overlay uses it.
   */
  @SuppressWarnings("try")
  public boolean delete(Digest diffId) throws IOException, StoreException {
    checkSha256(diffId);
    try (StoreLock lock = lockOf(diffId)) {
      Path tree = treeDir(diffId);
      if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Path doomed = dir.resolve(TMP_PREFIX + diffId.hex() + "-" + UUID.randomUUID() + "-deleting");
      Files.move(tree, doomed, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(tree.getParent());
      LayerApplier.deleteTree(doomed);
      return true;
    }
  }

  /**
   * Removes what crashed extractions and deletions left behind. Each leftover is removed under its layer's lock,
   * so a live extraction in another process is waited for, never pulled away from under it.
   */
  @SuppressWarnings("try")
  public void sweep() throws IOException, StoreException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> leftovers = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
      entries.forEach(leftovers::add);
    }
    for (Path p : leftovers) {
      Digest d = diffIdOf(p);
      if (d == null) {
        LayerApplier.deleteTree(p);
        continue;
      }
      try (StoreLock lock = lockOf(d)) {
        LayerApplier.deleteTree(p);
      }
    }
  }

  private void sweepLeftovers(Digest diffId) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TMP_PREFIX + diffId.hex() + "-*")) {
      for (Path p : entries) {
        LayerApplier.deleteTree(p);
      }
    }
  }

  private static Digest diffIdOf(Path leftover) {
    String name = leftover.getFileName().toString();
    if (name.length() < TMP_PREFIX.length() + 64) {
      return null;
    }
    try {
      return Digest.parse(Digest.SHA256 + ":" + name.substring(TMP_PREFIX.length(), TMP_PREFIX.length() + 64));
    } catch (InvalidDigestException e) {
      return null;
    }
  }

  private Path treeDir(Digest diffId) {
    return dir.resolve(Digest.SHA256).resolve(diffId.hex());
  }

  /**
   * The store's lock for this tree. Borrowed from the blob locks under a derived name, so the tree and the blob of
   * the same digest never wait for each other.
   */
  private StoreLock lockOf(Digest diffId) throws StoreException {
    return store.blobs().lock(Digest.sha256Of(("jbuild layer tree " + diffId).getBytes(StandardCharsets.UTF_8)));
  }

  private static void checkSha256(Digest d) {
    Objects.requireNonNull(d, "diffId");
    if (!Digest.SHA256.equals(d.algorithm())) {
      throw new IllegalArgumentException("diffIDs are sha256 digests, not " + d);
    }
  }

  /** Makes the extracted files durable before the rename publishes them (syncfs through the host's sync -f). */
  private static void syncFilesystem(Path p) throws IOException {
    Path sync = Path.of("/usr/bin/sync");
    if (!Files.isExecutable(sync)) {
      sync = Path.of("/bin/sync");
    }
    if (!Files.isExecutable(sync)) {
      return;
    }
    Process proc = new ProcessBuilder(sync.toString(), "-f", p.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!proc.waitFor(10, TimeUnit.MINUTES) || proc.exitValue() != 0) {
        throw new IOException("sync -f " + p + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while syncing " + p);
    }
  }

  private static void fsyncDirectory(Path d) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(d,
        java.nio.file.StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}

package dev.jbuild.store.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The build cache index (DESIGN 4): step key to step result, one small JSON file per key under
 * {@code <storeRoot>/cache/keys/}.
 *
 * <pre>{@code
 * BuildCache cache = BuildCache.open(store);
 * Optional<CacheEntry> hit = cache.lookup(key);
 * if (hit.isEmpty()) {
 *   cache.explainMiss(key).ifPresent(e -> events.log("cache miss: " + e.summary()));
 *   ... build the step ...
 *   cache.put(key, CacheEntry.of(key, diffId, layer, configJson, Instant.now()));
 * }
 * }</pre>
 *
 * <p>Entries are created once, by hard-linking a fsynced temp file into place, so builds in several processes may
 * share the cache: the first entry for a key wins and nobody reads a partial file. A damaged entry reads as a miss
 * and is removed, never as an error that fails the build. Thread-safe; holds no open files.
 */
public final class BuildCache {
  /** The folder under the store root; prune deletes it as a whole. */
  public static final String DIRECTORY = "cache";
  /**
   * At most this many earlier builds after one parent are compared by {@link #explainMiss}, most recent first. Each
   * is a file to read and parse on the path of every rebuild that misses, and a step edited all day gathers hundreds.
   */
  public static final int MAX_EXPLAIN_CANDIDATES = 32;

  // Configs are capped at 4 MiB elsewhere; base64 and the fields fit well within this.
  private static final long MAX_ENTRY_BYTES = 16L * 1024 * 1024;
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final Path keysDir;
  private final Path parentsDir;
  private final ParentIndex parents;
  private final Path tmpDir;
  private final Predicate<Digest> blobExists;

  private BuildCache(Path dir, Predicate<Digest> blobExists) {
    this.dir = dir;
    this.keysDir = dir.resolve("keys");
    this.parentsDir = dir.resolve("parents");
    this.parents = new ParentIndex(parentsDir);
    this.tmpDir = dir.resolve("tmp");
    this.blobExists = blobExists;
  }

  /** The cache of an open store; a hit needs its layer blob in {@code store.blobs()}. */
  public static BuildCache open(Store store) throws StoreException {
    Objects.requireNonNull(store, "store");
    return open(store.root(), store.blobs()::has);
  }

  /** The cache of the store at {@code storeRoot}; a hit needs its layer at {@code blobs/<alg>/<hex>}. */
  public static BuildCache open(Path storeRoot) throws StoreException {
    Objects.requireNonNull(storeRoot, "storeRoot");
    Path blobs = storeRoot.resolve("blobs");
    return open(storeRoot,
        d -> Files.isRegularFile(blobs.resolve(d.algorithm()).resolve(d.hex()), LinkOption.NOFOLLOW_LINKS));
  }

  /** The cache under {@code storeRoot}, asking {@code blobExists} whether a cached layer is still there. */
  public static BuildCache open(Path storeRoot, Predicate<Digest> blobExists) throws StoreException {
    Objects.requireNonNull(storeRoot, "storeRoot");
    Objects.requireNonNull(blobExists, "blobExists");
    BuildCache cache = new BuildCache(storeRoot.resolve(DIRECTORY), blobExists);
    try {
      cache.createDirectories();
    } catch (IOException e) {
      throw new StoreException("cannot create the build cache in " + cache.dir + ": " + e.getMessage(), e);
    }
    CacheFiles.sweepTemps(cache.tmpDir);
    return cache;
  }

  /** {@code <storeRoot>/cache}. */
  public Path directory() {
    return dir;
  }

  /**
   * The result cached for {@code key}: present only when its entry is intact and its layer blob (if any) is still
   * in the store.
   */
  public Optional<CacheEntry> lookup(CacheKey key) throws StoreException {
    Optional<CacheEntry> e = read(keyFile(key.key()));
    return e.filter(this::usable);
  }

  /**
   * Records the result of {@code key}. An intact, usable entry already there wins (another build got there first)
   * and this returns false; an entry whose layer blob has gone is replaced.
   *
   * @throws IllegalArgumentException when {@code entry} is for another key
   */
  public boolean put(CacheKey key, CacheEntry entry) throws StoreException {
    Objects.requireNonNull(entry, "entry");
    if (!entry.key().equals(key.key())) {
      throw new IllegalArgumentException("entry for " + entry.key() + " cannot be stored under " + key.key());
    }
    byte[] json = EntryCodec.write(entry);
    Path file = keyFile(key.key());
    boolean stored;
    try {
      createDirectories();
      stored = CacheFiles.createIfAbsent(file, json, tmpDir);
      if (!stored && read(file).filter(this::usable).isEmpty() && !newerFormat(file)) {
        // Damaged (now removed) or pointing at a pruned layer: this result takes its place.
        CacheFiles.replace(file, json, tmpDir);
        stored = true;
      }
      parents.add(key.fields(), key.key());
    } catch (IOException e) {
      throw new StoreException("cannot store build cache entry " + file + ": " + e.getMessage(), e);
    }
    return stored;
  }

  /**
   * Records the result of {@code key}, replacing whatever entry is there: for a step that was run on purpose with
   * the cache off ({@code --no-cache}), so later builds use the fresh result, as BuildKit does.
   *
   * @throws IllegalArgumentException when {@code entry} is for another key
   */
  public void replace(CacheKey key, CacheEntry entry) throws StoreException {
    Objects.requireNonNull(entry, "entry");
    if (!entry.key().equals(key.key())) {
      throw new IllegalArgumentException("entry for " + entry.key() + " cannot be stored under " + key.key());
    }
    Path file = keyFile(key.key());
    try {
      createDirectories();
      CacheFiles.replace(file, EntryCodec.write(entry), tmpDir);
      parents.add(key.fields(), key.key());
    } catch (IOException e) {
      throw new StoreException("cannot store build cache entry " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Why {@code key} misses: compares it with the nearest earlier entry built after the same parent (the one whose
   * other fields differ least; the most recently recorded among equals). Empty when {@code key} is in fact a hit.
   * Candidates are read most recent first, and the first that differs in one field only ends the search: no entry
   * can be nearer (a key differs from every other key somewhere), and the usual miss is exactly that, an edit since
   * the previous build.
   */
  public Optional<Explanation> explainMiss(CacheKey key) throws StoreException {
    Optional<CacheEntry> exact = read(keyFile(key.key()));
    if (exact.isPresent()) {
      CacheEntry e = exact.get();
      if (usable(e)) {
        return Optional.empty();
      }
      return Optional.of(new Explanation("this step was cached, but its layer " + e.layer().digest()
          + " is no longer in the store", e.key(), e.created(), List.of()));
    }
    Optional<Path> marker = parents.marker(key.fields(), key.key());
    if (marker.isEmpty()) {
      return Optional.of(new Explanation(MissExplainer.NO_EARLIER + " (the step has no parent field)", null, null,
          List.of()));
    }
    List<Path> siblings;
    try {
      siblings = parents.newestSiblings(marker.get(), MAX_EXPLAIN_CANDIDATES);
    } catch (IOException e) {
      throw new StoreException("cannot list " + marker.get().getParent() + ": " + e.getMessage(), e);
    }
    CacheEntry best = null;
    List<Explanation.FieldChange> bestChanges = null;
    for (Path m : siblings) {
      Optional<Digest> other = ParentIndex.digestOfName(m.getFileName().toString(), "");
      Optional<CacheEntry> e = other.isEmpty() ? Optional.empty() : read(keyFile(other.get()));
      if (e.isEmpty()) {
        deleteQuietly(m); // the entry was evicted or damaged
        continue;
      }
      List<Explanation.FieldChange> changes = MissExplainer.diff(key.fields(), e.get().fields());
      if (best == null || changes.size() < bestChanges.size()) {
        best = e.get();
        bestChanges = changes;
        if (changes.size() <= 1) {
          break;
        }
      }
    }
    if (best == null) {
      return Optional.of(new Explanation(MissExplainer.NO_EARLIER, null, null, List.of()));
    }
    return Optional.of(new Explanation(MissExplainer.summary(bestChanges), best.key(), best.created(), bestChanges));
  }

  /** The number of entries (files; damaged ones count until read). */
  public int size() throws StoreException {
    return keyFiles().size();
  }

  /** Bytes used by everything under {@code cache/}, stat caches included. */
  public long diskUsage() throws StoreException {
    long[] total = {0};
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return 0;
      }
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          total[0] += attrs.size();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // removed meanwhile
        }
      });
    } catch (IOException e) {
      throw new StoreException("cannot measure " + dir + ": " + e.getMessage(), e);
    }
    return total[0];
  }

  /**
   * Removes every entry and every context's stat cache. The layer header cache stays: its entries belong to blobs,
   * and prune removes them with their blob. {@code cache/tmp} stays, so writes in flight in other
   * processes do not fail; its leftovers are swept by age.
   */
  public void clear() throws StoreException {
    try {
      for (String sub : List.of("keys", "parents", ContextHasher.STAT_DIR)) {
        CacheFiles.deleteContents(dir.resolve(sub));
      }
    } catch (IOException e) {
      throw new StoreException("cannot clear the build cache in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Removes the entries {@code which} accepts (damaged ones are removed anyway); returns how many it removed. */
  public int evict(Predicate<CacheEntry> which) throws StoreException {
    int removed = 0;
    for (Path f : keyFiles()) {
      Optional<CacheEntry> e = read(f);
      if (e.isPresent() && which.test(e.get())) {
        try {
          if (Files.deleteIfExists(f)) {
            removed++;
          }
          parents.remove(e.get().fields(), e.get().key());
        } catch (IOException ex) {
          throw new StoreException("cannot evict build cache entry " + f + ": " + ex.getMessage(), ex);
        }
      }
    }
    return removed;
  }

  // ---------------------------------------------------------------- internals

  private boolean usable(CacheEntry e) {
    return e.layer() == null || blobExists.test(e.layer().digest());
  }

  private Path keyFile(Digest key) {
    if (!Digest.SHA256.equals(key.algorithm())) {
      throw new IllegalArgumentException("cache keys are sha256 digests, not " + key);
    }
    return keysDir.resolve(key.hex() + SUFFIX);
  }

  /** The entry in {@code file}; absent when missing, damaged (then removed) or written by a newer jbuild. */
  private Optional<CacheEntry> read(Path file) throws StoreException {
    String name = file.getFileName().toString();
    Optional<Digest> expected = ParentIndex.digestOfName(name, SUFFIX);
    byte[] bytes;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile() || a.size() > MAX_ENTRY_BYTES || expected.isEmpty()) {
        deleteQuietly(file);
        return Optional.empty();
      }
      bytes = CacheFiles.readCapped(file, MAX_ENTRY_BYTES);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException("cannot read build cache entry " + file + ": " + e.getMessage(), e);
    }
    try {
      ObjectNode root = OciJson.readObject(bytes, file.toString());
      if (EntryCodec.version(root) > EntryCodec.VERSION) {
        return Optional.empty();
      }
      CacheEntry entry = EntryCodec.read(root, file.toString());
      if (!entry.key().equals(expected.get())) {
        throw new MalformedContentException(file + ": holds the entry of " + entry.key());
      }
      return Optional.of(entry);
    } catch (MalformedContentException e) {
      deleteQuietly(file);
      return Optional.empty();
    }
  }

  private boolean newerFormat(Path file) {
    try {
      byte[] bytes = CacheFiles.readCapped(file, MAX_ENTRY_BYTES);
      return EntryCodec.version(OciJson.readObject(bytes, file.toString())) > EntryCodec.VERSION;
    } catch (IOException | MalformedContentException e) {
      return false;
    }
  }

  private List<Path> keyFiles() throws StoreException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(keysDir, "*" + SUFFIX)) {
      ds.forEach(out::add);
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new StoreException("cannot list " + keysDir + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  private void createDirectories() throws IOException {
    Files.createDirectories(keysDir);
    Files.createDirectories(parentsDir);
    Files.createDirectories(tmpDir);
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a cache file we could not remove is read as a miss again next time
    }
  }
}

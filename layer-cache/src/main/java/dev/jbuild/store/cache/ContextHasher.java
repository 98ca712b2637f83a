package dev.jbuild.store.cache;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hashes build context files through a stat cache, so a file whose {@code (path, dev, inode, size, mtime, ctime,
 * mode)} is unchanged since it was last hashed is never read again (DESIGN 4). The cache of one context lives in
 * {@code <storeRoot>/cache/stat/<sha256 of the context's real path>}.
 *
 * <pre>{@code
 * ContextHasher hasher = ContextHasher.open(store, contextDir);
 * Digest sources = hasher.treeDigest(items);   // the "sources" field of a COPY step's key
 * hasher.save();                               // once, after the build has hashed what it needs
 * }</pre>
 *
 * <p>Racy files (git's rule): a file modified within {@link #RACY_WINDOW} of now is hashed but not remembered,
 * because another write within the same timestamp tick would leave its stat unchanged. Both mtime and ctime count,
 * so a rewrite that restores the old mtime ({@code touch -d}, {@code cp -p}) is caught as well. A file whose stat
 * changes while it is read is not remembered either.
 *
 * <p>The saved cache keeps only the files looked up in this run, so it stays as large as the context actually used.
 * Thread-safe: several steps may hash at once.
 */
public final class ContextHasher {
  /** Files modified this recently are hashed but not remembered. */
  public static final Duration RACY_WINDOW = Duration.ofSeconds(2);

  static final String STAT_DIR = "stat";

  private static final String ATTRIBUTES = "unix:dev,ino,size,mode,uid,gid,nlink,ctime,lastModifiedTime";
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final long MAX_STAT_FILE_BYTES = 512L * 1024 * 1024;
  private static final String TREE_DOMAIN = "jbuild sources v1";

  private final Path root;
  /** Characters of {@code root} and its separator: what a path under the root begins with. */
  private final int rootPrefixLength;
  private final Path statFile;
  private final Path tmpDir;
  private final Clock clock;
  private final Map<String, StatCacheFile.Entry> previous;
  private final Map<String, StatCacheFile.Entry> seen = new ConcurrentHashMap<>();
  private final Map<Path, Boolean> insideDirs = new ConcurrentHashMap<>();
  private final LongAdder filesRead = new LongAdder();
  private final LongAdder statHits = new LongAdder();
  private final LongAdder bytesRead = new LongAdder();
  private final LongAdder notRemembered = new LongAdder();

  /**
   * How much hashing went to disk.
   *
   * @param filesRead files whose content was read
   * @param statHits files answered from the stat cache without reading
   * @param bytesRead content bytes read
   * @param notRemembered reads not remembered (racy, or changed while being read)
   */
  public record Stats(long filesRead, long statHits, long bytesRead, long notRemembered) {}

  /**
   * One {@code lstat} of a host file: what the stat cache compares, and what a walk of the context needs besides
   * (owner, size), so a COPY that walks the context and then hashes it stats each file once, not three times.
   *
   * @param mtimeNs the mtime in nanoseconds, as the stat cache compares it (saturated beyond 1677..2262)
   * @param mode the whole {@code st_mode}, file type bits included
   * @param nlink the number of names of the file (above 1: hard links)
   * @param mtime the exact mtime, as a layer records it
   */
  public record FileStat(long dev, long ino, long size, long mtimeNs, long ctimeNs, int mode, int uid, int gid,
      int nlink, Instant mtime) {
    public boolean regularFile() {
      return (mode & S_IFMT) == S_IFREG;
    }
  }

  /** Stats {@code p} without following a symlink at its last component. */
  public static FileStat lstat(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    FileTime mtime = (FileTime) a.get("lastModifiedTime");
    return new FileStat((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
        mtime.to(TimeUnit.NANOSECONDS), ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
        (Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("nlink"),
        mtime.toInstant());
  }

  private ContextHasher(Path root, Path cacheDir, Clock clock, Map<String, StatCacheFile.Entry> previous) {
    this.root = root;
    String r = root.toString();
    this.rootPrefixLength = r.endsWith("/") ? r.length() : r.length() + 1;
    this.statFile = cacheDir.resolve(STAT_DIR).resolve(contextId(root));
    this.tmpDir = cacheDir.resolve("tmp");
    this.clock = clock;
    this.previous = previous;
  }

  /** The hasher of {@code contextRoot}, loading the stat cache the last build of that context saved. */
  public static ContextHasher open(Store store, Path contextRoot) throws StoreException {
    return open(store.root(), contextRoot, Clock.systemUTC());
  }

  /** As {@link #open(Store, Path)}, with the clock the racy-file rule compares against (tests, tools). */
  public static ContextHasher open(Path storeRoot, Path contextRoot, Clock clock) throws StoreException {
    Objects.requireNonNull(clock, "clock");
    Path real;
    try {
      real = contextRoot.toRealPath();
    } catch (IOException e) {
      throw new StoreException("cannot open the build context " + contextRoot + ": " + e.getMessage(), e);
    }
    if (!Files.isDirectory(real)) {
      throw new StoreException("the build context " + contextRoot + " is not a directory");
    }
    Path cacheDir = storeRoot.resolve(BuildCache.DIRECTORY);
    ContextHasher h = new ContextHasher(real, cacheDir, clock, new ConcurrentHashMap<>());
    h.load();
    return h;
  }

  private static String contextId(Path realRoot) {
    return Digest.sha256Of(realRoot.toString().getBytes(StandardCharsets.UTF_8)).hex();
  }

  private void load() {
    byte[] bytes;
    try {
      bytes = CacheFiles.readCapped(statFile, MAX_STAT_FILE_BYTES);
    } catch (IOException e) {
      return; // none yet, or unreadable: hash everything once more
    }
    Map<String, StatCacheFile.Entry> loaded = StatCacheFile.read(bytes, root.toString());
    if (loaded == null) {
      try {
        Files.deleteIfExists(statFile);
      } catch (IOException e) {
        // replaced on the next save anyway
      }
      return;
    }
    previous.putAll(loaded);
  }

  /** The context's real path; every hashed file must be inside it. */
  public Path contextRoot() {
    return root;
  }

  /**
   * The sha256 of a regular file's content, read only when its stat differs from when it was last hashed.
   *
   * @param file a path inside the context: relative to it, or absolute under {@link #contextRoot()} (the real
   *     path); never followed if it is a symlink
   * @throws IOException when the file is missing, not a regular file, or outside the context
   */
  public Digest fileDigest(Path file) throws IOException {
    return fileDigest(file, null);
  }

  /**
   * As {@link #fileDigest(Path)}, with {@code walked} the stat the caller took of the file just before (its walk of
   * the context), which stands for the first of the two stats around reading it; null to stat here.
   */
  public Digest fileDigest(Path file, FileStat walked) throws IOException {
    Path p = root.resolve(file).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IOException("forbidden path outside the build context " + root + ": " + file);
    }
    checkParentInside(p, file);
    // p is root plus at least one name, so this is root.relativize(p) without its cost per file.
    String rel = p.toString().substring(rootPrefixLength);
    StatCacheFile.Entry before = entry(p, walked != null ? walked : lstat(p));
    StatCacheFile.Entry known = seen.get(rel);
    if (known == null) {
      known = previous.get(rel);
    }
    if (known != null && known.sameStat(before)) {
      statHits.increment();
      seen.put(rel, known);
      return known.digest();
    }
    Digest d = hash(p);
    StatCacheFile.Entry after = entry(p, lstat(p));
    if (after.sameStat(before) && !racy(after)) {
      seen.put(rel, new StatCacheFile.Entry(after.dev(), after.ino(), after.size(), after.mtimeNs(), after.ctimeNs(),
          after.mode(), d));
    } else {
      notRemembered.increment();
      seen.remove(rel);
    }
    return d;
  }

  /**
   * The content hash of the selected COPY/ADD sources: for each item in destination-path order its path, type,
   * mode bits ({@code 07777}), uid, gid, and the content digest (files) or link target (symlinks). Not mtime.
   */
  public Digest treeDigest(List<SourceItem> items) throws IOException {
    List<SourceItem> sorted = new ArrayList<>(items);
    // Stable: if a path is given twice its order still matters, as the last copy wins in the layer.
    sorted.sort(Comparator.comparing(SourceItem::destPath));
    MessageDigest md = Digest.newSha256();
    Framing.string(md, TREE_DOMAIN);
    Framing.u64(md, sorted.size());
    for (SourceItem item : sorted) {
      Framing.string(md, item.destPath());
      Framing.u8(md, item.type().tag);
      Framing.u64(md, item.mode() & 07777);
      Framing.u64(md, item.uid());
      Framing.u64(md, item.gid());
      if (item.type() == SourceItem.Type.FILE) {
        Framing.string(md, fileDigest(item.hostPath()).toString());
      } else if (item.type() == SourceItem.Type.SYMLINK) {
        Framing.string(md, item.linkTarget());
      }
    }
    return Digest.sha256(md.digest());
  }

  public Stats stats() {
    return new Stats(filesRead.sum(), statHits.sum(), bytesRead.sum(), notRemembered.sum());
  }

  /**
   * Writes the stat cache atomically, keeping only the files looked up since {@link #open}. Does nothing when no
   * file was looked up, so a build without COPY does not forget the context, or when the cache would not change.
   */
  public synchronized void save() throws StoreException {
    // Nothing looked up, or exactly what was loaded (a no-change rebuild): the file on disk is already right.
    if (seen.isEmpty() || seen.equals(previous)) {
      return;
    }
    byte[] bytes = StatCacheFile.write(root.toString(), Map.copyOf(seen));
    try {
      Files.createDirectories(statFile.getParent());
      Files.createDirectories(tmpDir);
      CacheFiles.replace(statFile, bytes, tmpDir);
    } catch (IOException e) {
      throw new StoreException("cannot save the stat cache " + statFile + " of " + root + ": " + e.getMessage(), e);
    }
  }

  /** Refuses a path reached through a symlinked directory that leads out of the context (B03). */
  private void checkParentInside(Path p, Path asGiven) throws IOException {
    Path parent = p.getParent();
    Boolean inside = insideDirs.get(parent);
    if (inside == null) {
      inside = parent.toRealPath().startsWith(root);
      insideDirs.put(parent, inside);
    }
    if (!inside) {
      throw new IOException("forbidden path outside the build context " + root + ": " + asGiven
          + " goes through a symlink that leads out of it");
    }
  }

  private static StatCacheFile.Entry entry(Path p, FileStat s) throws IOException {
    if (!s.regularFile()) {
      throw new IOException(p + " in the build context is not a regular file");
    }
    return new StatCacheFile.Entry(s.dev(), s.ino(), s.size(), s.mtimeNs(), s.ctimeNs(), s.mode(), null);
  }

  private boolean racy(StatCacheFile.Entry e) {
    long nowNs = TimeUnit.MILLISECONDS.toNanos(clock.millis());
    long changedNs = Math.max(e.mtimeNs(), e.ctimeNs());
    return nowNs - changedNs < RACY_WINDOW.toNanos();
  }

  private Digest hash(Path p) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[128 * 1024];
    long total = 0;
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        total += n;
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(p + " vanished from the build context while being hashed");
    }
    filesRead.increment();
    bytesRead.add(total);
    return Digest.sha256(md.digest());
  }
}

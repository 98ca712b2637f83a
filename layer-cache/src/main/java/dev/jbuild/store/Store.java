package dev.jbuild.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The local store: an OCI image layout plus jbuild's own folders (see the package documentation for the layout).
 *
 * <pre>{@code
 * try (Store store = Store.open(Store.defaultRoot())) {
 *   Descriptor config = store.blobs().put(MediaType.OCI_CONFIG, configJson);
 *   store.images().tag("app:latest", manifestDescriptor);
 * }
 * }</pre>
 *
 * <p>Thread-safe; several Stores (in this or other processes) may share one root.
 */
public final class Store implements AutoCloseable {
  /** Temp files untouched for this long, and not locked by a live writer, are left over from a crash. */
  public static final Duration DEFAULT_STALE_TEMP_AGE = Duration.ofHours(1);

  static final String OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";
  static final String EMPTY_INDEX =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";

  private final Path root;
  private final StoreLocks locks;
  private final BlobStore blobs;
  private final ImageStore images;
  private final LayerCompressionIndex compression;
  private boolean closed;

  private Store(Path root, StoreLocks locks, Fs fs) {
    this.root = root;
    this.locks = locks;
    this.blobs = new BlobStore(root, locks, fs);
    this.images = new ImageStore(root, locks, blobs);
    this.compression = new LayerCompressionIndex(root, blobs);
  }

  /** Opens (creating if needed) the store at {@code root}, sweeping temp files older than an hour. */
  public static Store open(Path root) throws StoreException {
    return open(root, DEFAULT_STALE_TEMP_AGE);
  }

  /**
   * Opens the store, sweeping temp files in {@code tmp/} that are older than {@code staleTempAge} and whose
   * writer's lock is not held (a crashed ingest). Tests pass {@link Duration#ZERO}.
   */
  public static Store open(Path root, Duration staleTempAge) throws StoreException {
    return open(root, staleTempAge, Fs.REAL);
  }

  /** As {@link #open(Path, Duration)} with blob ingests going through {@code fs} (fault-injection tests). */
  static Store open(Path root, Duration staleTempAge, Fs fs) throws StoreException {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(staleTempAge, "staleTempAge");
    Path real;
    try {
      Files.createDirectories(root);
      real = root.toRealPath();
      for (String dir : List.of("blobs/sha256", "tmp", "locks", "compression")) {
        Files.createDirectories(real.resolve(dir));
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the store at " + root + ": " + e.getMessage(), e);
    }
    StoreLocks locks = StoreLocks.acquire(real);
    Store store = new Store(real, locks, fs);
    try {
      store.initLayout();
      TempSweeper.sweep(real.resolve("tmp"), staleTempAge, locks);
    } catch (StoreException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private void initLayout() throws StoreException {
    Path tmp = root.resolve("tmp");
    Path layout = root.resolve("oci-layout");
    try {
      Fs.createIfAbsent(layout, OCI_LAYOUT.getBytes(StandardCharsets.UTF_8), tmp);
      Fs.createIfAbsent(root.resolve("index.json"), EMPTY_INDEX.getBytes(StandardCharsets.UTF_8), tmp);
      if (!Files.isRegularFile(layout, LinkOption.NOFOLLOW_LINKS)) {
        throw new CorruptStoreException(layout + " is not a regular file");
      }
      // A cheap check without a JSON parser, which start-up does not load (DESIGN 8).
      String text = new String(Fs.readCapped(layout, 4096, "oci-layout"), StandardCharsets.UTF_8);
      if (!text.replaceAll("\\s", "").contains("\"imageLayoutVersion\":\"1.0.0\"")) {
        throw new CorruptStoreException(layout + " does not declare imageLayoutVersion 1.0.0");
      }
    } catch (IOException e) {
      throw new StoreException("cannot initialise the store at " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Where the store lives when neither {@code --root} nor {@code JBUILD_ROOT} says: {@code /var/lib/jbuild} for
   * the real root user, {@code ${XDG_DATA_HOME:-~/.local/share}/jbuild} otherwise. Uid 0 inside a user namespace
   * (the rootless re-exec) counts as "otherwise", since that root cannot write /var/lib.
   */
  public static Path defaultRoot() {
    return defaultRoot(System.getenv(), Path.of(System.getProperty("user.home")), isRealRoot());
  }

  static Path defaultRoot(Map<String, String> env, Path home, boolean realRoot) {
    String override = env.get("JBUILD_ROOT");
    if (override != null && !override.isEmpty()) {
      return Path.of(override).toAbsolutePath();
    }
    if (realRoot) {
      return Path.of("/var/lib/jbuild");
    }
    String xdg = env.get("XDG_DATA_HOME");
    // The XDG spec says relative values are invalid and must be ignored.
    Path base = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg)
        : home.resolve(".local").resolve("share");
    return base.resolve("jbuild");
  }

  private static boolean isRealRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (!(uid instanceof Integer u) || u != 0) {
        return false;
      }
      // The initial user namespace maps the whole range identically; a rootless namespace does not.
      String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
      return map.split("\\s+").length == 3 && map.matches("0\\s+0\\s+4294967295");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  public Path root() {
    return root;
  }

  public BlobStore blobs() {
    return blobs;
  }

  public ImageStore images() {
    return images;
  }

  public LayerCompressionIndex compression() {
    return compression;
  }

  /**
   * Removes temp files in {@code tmp/} untouched for {@code staleAfter} whose writer is gone, as {@link #open} does
   * (for {@code prune} and {@code system check --repair}); returns how many went.
   */
  public int sweepTemp(Duration staleAfter) {
    Objects.requireNonNull(staleAfter, "staleAfter");
    return TempSweeper.sweep(root.resolve("tmp"), staleAfter, locks);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      locks.release();
    }
  }
}

package dev.jbuild.store.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link LayerApplier} applies a layer.
 *
 * @param rootless no device nodes (skipped with a warning), and chown failures are warnings rather than errors
 * @param maxBytes cap on the uncompressed tar size, padding included
 * @param maxEntries cap on the number of entries
 * @param sameOwner chown every entry to the uid/gid of its header; otherwise files belong to the current user
 * @param whiteouts what {@code .wh.} entries do: delete from the root ({@link Whiteouts#DELETE}, flattening layers
 *     into one tree) or become overlayfs whiteouts ({@link Whiteouts#OVERLAY}, for a tree used as a lower dir)
 * @param warnings receives one line per thing skipped (a device in rootless mode, an xattr the kernel refused)
 */
public record ApplyOptions(
    boolean rootless, long maxBytes, long maxEntries, boolean sameOwner, Whiteouts whiteouts,
    Consumer<String> warnings) {

  /** Default cap on the uncompressed size of one layer. */
  public static final long DEFAULT_MAX_BYTES = 64L << 30;
  /** Default cap on the number of entries of one layer. */
  public static final long DEFAULT_MAX_ENTRIES = 10_000_000L;

  /** The two ways of applying whiteouts. */
  public enum Whiteouts {
    /** {@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} clears lower content of its directory. */
    DELETE,
    /**
     * {@code .wh.NAME} becomes a character device 0/0 named NAME and {@code .wh..wh..opq} sets the opaque xattr on its
     * directory ({@code trusted.overlay.opaque}, or {@code user.overlay.opaque} when rootless, matching an overlay
     * mounted with {@code userxattr}).
     */
    OVERLAY
  }

  public ApplyOptions {
    Objects.requireNonNull(whiteouts, "whiteouts");
    Objects.requireNonNull(warnings, "warnings");
    if (maxBytes <= 0 || maxEntries <= 0) {
      throw new IllegalArgumentException("caps must be positive: maxBytes=" + maxBytes + " maxEntries=" + maxEntries);
    }
  }

  /**
   * Defaults for this process: ownership from the tar when running as uid 0 (also uid 0 of a user namespace),
   * rootless unless this is the real root user, 64 GiB and 10 million entries, whiteouts deleted, warnings dropped.
   */
  public static ApplyOptions defaults() {
    int uid = currentUid();
    return new ApplyOptions(!isRealRoot(uid), DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, uid == 0, Whiteouts.DELETE,
        w -> { });
  }

  public ApplyOptions withRootless(boolean value) {
    return new ApplyOptions(value, maxBytes, maxEntries, sameOwner, whiteouts, warnings);
  }

  public ApplyOptions withMaxBytes(long value) {
    return new ApplyOptions(rootless, value, maxEntries, sameOwner, whiteouts, warnings);
  }

  public ApplyOptions withMaxEntries(long value) {
    return new ApplyOptions(rootless, maxBytes, value, sameOwner, whiteouts, warnings);
  }

  public ApplyOptions withSameOwner(boolean value) {
    return new ApplyOptions(rootless, maxBytes, maxEntries, value, whiteouts, warnings);
  }

  public ApplyOptions withWhiteouts(Whiteouts value) {
    return new ApplyOptions(rootless, maxBytes, maxEntries, sameOwner, value, warnings);
  }

  public ApplyOptions withWarnings(Consumer<String> value) {
    return new ApplyOptions(rootless, maxBytes, maxEntries, sameOwner, whiteouts, value);
  }

  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Uid 0 with the identity uid map: real root, which may mknod. Uid 0 of a user namespace may not. */
  static boolean isRealRoot(int uid) {
    if (uid != 0) {
      return false;
    }
    try {
      return Files.readString(Path.of("/proc/self/uid_map")).trim().matches("0\\s+0\\s+4294967295");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}

package dev.jbuild.store.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file selected by a COPY or ADD, as it will land in the image: what {@link ContextHasher#treeDigest} hashes.
 * Callers apply {@code --chmod} and {@code --chown} before building these, so the hash covers the mode bits and
 * owner the layer will really have. There is deliberately no mtime: touching a file must not bust the cache.
 *
 * @param destPath the path inside the image (or relative to the destination), e.g. {@code app/main.py}
 * @param type file, directory or symlink
 * @param hostPath the file to hash, inside the build context; only for {@link Type#FILE}
 * @param mode the permission bits after {@code --chmod} (only {@code 07777} counts)
 * @param uid the owner after {@code --chown}
 * @param gid the group after {@code --chown}
 * @param linkTarget the symlink's target as stored; only for {@link Type#SYMLINK}
 */
public record SourceItem(String destPath, Type type, Path hostPath, int mode, long uid, long gid, String linkTarget) {
  public enum Type {
    FILE('f'), DIRECTORY('d'), SYMLINK('l');

    // Fixed tags rather than ordinals: reordering the constants must not change every digest.
    final char tag;

    Type(char tag) {
      this.tag = tag;
    }
  }

  public SourceItem {
    Objects.requireNonNull(destPath, "destPath");
    Objects.requireNonNull(type, "type of " + destPath);
    if ((type == Type.FILE) != (hostPath != null)) {
      throw new IllegalArgumentException(destPath + ": a host path is needed for files and only for files");
    }
    if ((type == Type.SYMLINK) != (linkTarget != null)) {
      throw new IllegalArgumentException(destPath + ": a link target is needed for symlinks and only for symlinks");
    }
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException(destPath + ": negative uid or gid " + uid + ":" + gid);
    }
  }

  public static SourceItem file(String destPath, Path hostPath, int mode, long uid, long gid) {
    return new SourceItem(destPath, Type.FILE, hostPath, mode, uid, gid, null);
  }

  public static SourceItem directory(String destPath, int mode, long uid, long gid) {
    return new SourceItem(destPath, Type.DIRECTORY, null, mode, uid, gid, null);
  }

  public static SourceItem symlink(String destPath, String linkTarget, long uid, long gid) {
    return new SourceItem(destPath, Type.SYMLINK, null, 0777, uid, gid, linkTarget);
  }
}

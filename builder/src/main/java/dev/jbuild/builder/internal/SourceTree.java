package dev.jbuild.builder.internal;

import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A read-only file tree COPY and ADD take sources from: the build context, another stage's filesystem, a download,
 * an unpacked archive or a git checkout. Paths are relative, cleaned and {@code /}-separated ({@code ""} is the
 * root). Implementations never follow a symlink: {@link TreePaths} resolves links inside the tree, so a link, even
 * an absolute one, can never lead outside it.
 */
interface SourceTree {
  /**
   * What a file is, as a layer will record it.
   *
   * @param type REGULAR, DIRECTORY or SYMLINK (hard links read as REGULAR; devices and fifos as their type)
   * @param mode permission bits
   * @param uid owner kept when COPY has no --chown ({@link #keepsOwners()}), else ignored
   * @param gid group, likewise
   * @param mtime modification time
   * @param linkTarget a symlink's target as stored
   * @param hostStat the lstat of the host file behind it, when the tree is a host directory (else null): its size
   *     and the stat cache's fields, so the file is not stat'ed again to be copied or hashed
   */
  record Node(LayerEntry.Type type, int mode, long uid, long gid, Instant mtime, String linkTarget,
      ContextHasher.FileStat hostStat) {
    Node(LayerEntry.Type type, int mode, long uid, long gid, Instant mtime, String linkTarget) {
      this(type, mode, uid, gid, mtime, linkTarget, null);
    }

    boolean directory() {
      return type == LayerEntry.Type.DIRECTORY;
    }

    boolean symlink() {
      return type == LayerEntry.Type.SYMLINK;
    }
  }

  /**
   * The node at {@code path} without following a symlink at its last component, or null when there is none. The
   * parent components must already be resolved (no symlinks among them); implementations check it.
   */
  Node lstat(String path) throws IOException;

  /** The names in directory {@code dir}, sorted. */
  List<String> list(String dir) throws IOException;

  /** A host file holding the content of the regular file {@code path}, to be read, never written. */
  Path content(String path) throws IOException;

  /** Whether files keep their owners when no --chown is given (stages and archives yes, the context no: 0:0). */
  boolean keepsOwners();

  /** For messages: {@code the build context /src/app}, {@code stage builder}. */
  String describe();

  /**
   * The stat cache this tree's files are hashed through for cache keys, or null: layer trees never change and
   * remember their digests themselves, and scratch directories (downloads, archives, checkouts) are read anew.
   * The build context's own cache is the step's; this is for directory named contexts.
   */
  default ContextHasher statCache() {
    return null;
  }
}

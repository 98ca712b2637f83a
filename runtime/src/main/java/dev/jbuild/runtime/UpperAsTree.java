package dev.jbuild.runtime;

import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes an unmounted overlay upper dir hold exactly what the layer written from it holds, so it can serve as that
 * layer's extracted tree instead of a fresh extraction of the blob:
 * <ul>
 *   <li>what the layer left out goes: the empty mount points runc created, parents copied up only for them, and
 *       anything a tar cannot hold (sockets);
 *   <li>every kept file, directory and symlink gets the mtime the tar gave it (whole seconds, clamped to
 *       SOURCE_DATE_EPOCH), as extracting the layer would have set it. Later steps then see the same tree whether it
 *       was adopted or extracted, and builds stay reproducible.
 * </ul>
 * Overlay's whiteouts and opaque marks are already what a lower dir needs.
 */
final class UpperAsTree {

  private UpperAsTree() {}

  /**
   * Prunes and re-times {@code upper} to match {@code layer}, the entries written (with {@code epoch}) from it.
   * Returns false when it cannot be made to match (e.g. a path to drop is not empty): the caller then discards it.
   */
  static boolean conform(Path upper, List<LayerEntry> layer, Instant epoch) throws IOException {
    Set<String> kept = new HashSet<>();
    for (LayerEntry e : layer) {
      String name = baseName(e.path());
      if (name.equals(LayerEntry.OPAQUE_WHITEOUT)) {
        continue; // the directory itself is an entry too; the mark is its xattr
      }
      kept.add(name.startsWith(LayerEntry.WHITEOUT_PREFIX)
          ? parentPrefix(e.path()) + name.substring(LayerEntry.WHITEOUT_PREFIX.length()) : e.path());
    }
    List<Path> dropped = new ArrayList<>(); // children before their parents (post-order)
    Files.walkFileTree(upper, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        note(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        if (!dir.equals(upper)) {
          note(dir);
        }
        return FileVisitResult.CONTINUE;
      }

      private void note(Path p) {
        if (!kept.contains(upper.relativize(p).toString())) {
          dropped.add(p);
        }
      }
    });
    for (Path p : dropped) {
      try {
        Files.delete(p);
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        return false;
      }
    }
    // Directories last and deepest first, as setting a child's time or deleting one changes its parent's mtime.
    List<LayerEntry> dirs = new ArrayList<>();
    for (LayerEntry e : layer) {
      switch (e.type()) {
        case DIRECTORY -> dirs.add(e);
        case REGULAR, SYMLINK, HARDLINK -> {
          if (!baseName(e.path()).startsWith(LayerEntry.WHITEOUT_PREFIX)) {
            setMtime(upper.resolve(e.path()), e.mtime(), epoch);
          }
        }
        default -> { } // fifos and devices keep the time they have: opening one to set it could block
      }
    }
    dirs.sort((a, b) -> LayerTarWriter.comparePaths(b.path(), a.path()));
    for (LayerEntry d : dirs) {
      setMtime(upper.resolve(d.path()), d.mtime(), epoch);
    }
    return true;
  }

  private static void setMtime(Path p, Instant mtime, Instant epoch) throws IOException {
    FileTime t = FileTime.from(LayerTarWriter.archivedMtime(mtime, epoch));
    Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
  }

  private static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static String parentPrefix(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash + 1);
  }
}

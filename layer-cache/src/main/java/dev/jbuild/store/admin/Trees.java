package dev.jbuild.store.admin;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Set;

/** Sizing and deleting directory trees (snapshots, the build cache) without ever following a symlink. */
final class Trees {
  private Trees() {}

  /** Bytes of the regular files under {@code dir} (hard links counted once) and how many entries there are. */
  record Size(long bytes, long entries) {}

  static Size size(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return new Size(0, 0);
    }
    long[] totals = new long[2];
    Set<Object> seen = new HashSet<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
        totals[1]++;
        Object key = a.fileKey();
        if (a.isRegularFile() && (key == null || seen.add(key))) {
          totals[0] += a.size();
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE; // vanished or unreadable: sizes are an estimate anyway
      }
    });
    return new Size(totals[0], totals[1]);
  }

  /** When {@code p} itself (not what a symlink points at) was last modified. */
  static FileTime mtime(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).lastModifiedTime();
  }

  /**
   * Deletes {@code p} and everything under it; a symlink is removed, never followed. Extracted layers hold
   * directories without write permission (0555), so each directory is made writable before its entries go.
   */
  static void delete(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
        makeWritable(dir);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        if (e instanceof AccessDeniedException && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
            && makeWritable(file)) {
          delete(file); // a mode-0000 directory: now that it can be listed, try once more
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Gives the owner rwx on {@code dir}; returns whether the mode changed. */
  private static boolean makeWritable(Path dir) throws IOException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (!perms.contains(PosixFilePermission.OWNER_WRITE) || !perms.contains(PosixFilePermission.OWNER_EXECUTE)
          || !perms.contains(PosixFilePermission.OWNER_READ)) {
        Set<PosixFilePermission> more = new HashSet<>(perms);
        more.add(PosixFilePermission.OWNER_READ);
        more.add(PosixFilePermission.OWNER_WRITE);
        more.add(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(dir, more);
        return true;
      }
    } catch (UnsupportedOperationException | AccessDeniedException e) {
      // Not POSIX, or not ours to change: the deletes below say what failed.
    }
    return false;
  }

  /** Removes {@code dir} if it is an empty directory; quietly keeps it otherwise. */
  static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // not empty (DirectoryNotEmptyException) or already gone
    }
  }
}

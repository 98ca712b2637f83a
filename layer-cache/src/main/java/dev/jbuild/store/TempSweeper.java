package dev.jbuild.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;

/**
 * Removes what crashed ingests left in {@code tmp/}. A temp file goes only when it is older than the staleness
 * limit and no live writer holds its lock: a writer in another process keeps an exclusive lock on its temp file,
 * and writers of this JVM are skipped by name (opening and closing their file here would drop their lock).
 */
final class TempSweeper {
  private TempSweeper() {}

  static int sweep(Path tmpDir, Duration staleAfter, StoreLocks locks) {
    Instant cutoff = Instant.now().minus(staleAfter);
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmpDir)) {
      for (Path f : files) {
        if (locks.activeTemps.contains(f)) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.lastModifiedTime().toInstant().isAfter(cutoff)) {
            continue;
          }
          if (!a.isRegularFile()) {
            if (!a.isDirectory()) {
              Files.deleteIfExists(f); // a stray symlink or fifo; never followed
              removed++;
            }
            continue;
          }
          if (deleteIfUnlocked(f)) {
            removed++;
          }
        } catch (IOException e) {
          // Vanished meanwhile or not ours to delete; the next sweep tries again.
        }
      }
    } catch (IOException e) {
      // A sweep is housekeeping: it must never stop the store from opening.
    }
    return removed;
  }

  private static boolean deleteIfUnlocked(Path f) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        return false;
      }
      if (lock == null) {
        return false; // a live writer in another process
      }
      try {
        Files.deleteIfExists(f);
        return true;
      } finally {
        lock.release();
      }
    }
  }
}

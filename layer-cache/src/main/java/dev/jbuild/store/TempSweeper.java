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
import java.util.ArrayList;
import java.util.List;

/**
 * Removes what crashed ingests left in {@code tmp/}. A temp file goes only when no live writer holds its lock (a
 * writer in another process keeps an exclusive lock on its temp file; writers of this JVM are skipped by name,
 * since opening and closing their file here would drop their lock) and it is old enough:
 *
 * <ul>
 *   <li>a one-shot ingest ({@code ingest-*}) after a one-minute grace (or the staleness limit, if shorter): its lock
 *       proves whether its writer lives, and the grace only covers the instant between creating and locking it;
 *   <li>a resumable ingest ({@code resume-*}) and everything else after the staleness limit, so a crashed download
 *       can still be resumed for that long;
 *   <li>a resume sidecar ({@code *.ref}) once the file it describes is gone.
 * </ul>
 */
final class TempSweeper {
  static final Duration INGEST_GRACE = Duration.ofMinutes(1);

  private TempSweeper() {}

  static int sweep(Path tmpDir, Duration staleAfter, StoreLocks locks) {
    Instant now = Instant.now();
    Instant cutoff = now.minus(staleAfter);
    Instant ingestCutoff = now.minus(staleAfter.compareTo(INGEST_GRACE) < 0 ? staleAfter : INGEST_GRACE);
    int removed = 0;
    List<Path> sidecars = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmpDir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(FileBlobWriter.REF_SUFFIX)) {
          sidecars.add(f);
          continue;
        }
        if (locks.activeTemps.contains(f)) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          Instant limit = name.startsWith("ingest-") ? ingestCutoff : cutoff;
          if (a.lastModifiedTime().toInstant().isAfter(limit)) {
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
    for (Path ref : sidecars) {
      String name = ref.getFileName().toString();
      Path data = ref.resolveSibling(name.substring(0, name.length() - FileBlobWriter.REF_SUFFIX.length()));
      try {
        if (!Files.exists(data, LinkOption.NOFOLLOW_LINKS) && !locks.activeTemps.contains(data)
            && !Files.getLastModifiedTime(ref, LinkOption.NOFOLLOW_LINKS).toInstant().isAfter(ingestCutoff)) {
          Files.deleteIfExists(ref);
          removed++;
        }
      } catch (IOException e) {
        // the next sweep tries again
      }
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

package dev.jbuild.store.cache;

import dev.jbuild.store.Durability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The write-fsync-rename moves of the cache. The store's own helper is package-private to {@code dev.jbuild.store},
 * and the cache keeps its temp files in {@code cache/tmp} so that deleting {@code cache/} takes them along.
 */
final class CacheFiles {
  /** Temp files this old are left over from a crash: every write here takes milliseconds to seconds. */
  static final Duration STALE_TEMP = Duration.ofHours(1);

  private CacheFiles() {}

  /** Writes {@code content} to a fresh temp file in {@code tmpDir} and fsyncs it. */
  static Path writeTemp(Path tmpDir, byte[] content) throws IOException {
    Path temp = tmpDir.resolve("w-" + UUID.randomUUID());
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return temp;
  }

  /**
   * Creates {@code target} unless it exists, returning whether this call created it. A hard link, unlike a rename,
   * fails when the target exists, so of two racing writers exactly one wins and nobody sees a partial file.
   */
  static boolean createIfAbsent(Path target, byte[] content, Path tmpDir) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Path temp = writeTemp(tmpDir, content);
    try {
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | IOException e) {
        // No hard links here (some FUSE filesystems): a rename is still atomic, only the race is looser.
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      }
      Durability.fsyncDirectory(target.getParent());
      return true;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Replaces {@code target} atomically: readers see the old or the new bytes, never a mix. */
  static void replace(Path target, byte[] content, Path tmpDir) throws IOException {
    Path temp = writeTemp(tmpDir, content);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Durability.fsyncDirectory(target.getParent());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Reads a regular file (never through a symlink) of at most {@code max} bytes; larger is an error. */
  static byte[] readCapped(Path file, long max) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new IOException(file + " is larger than " + max + " bytes");
      }
      return bytes;
    }
  }

  /** Deletes what is inside {@code dir}, never following symlinks; a missing dir is fine. */
  static void deleteContents(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // removed by someone else meanwhile
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        if (!d.equals(dir)) {
          Files.deleteIfExists(d);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Removes temp files older than {@link #STALE_TEMP}; housekeeping that never fails the caller. */
  static void sweepTemps(Path tmpDir) {
    Instant cutoff = Instant.now().minus(STALE_TEMP);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmpDir)) {
      for (Path f : files) {
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (!a.isDirectory() && a.lastModifiedTime().toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(f);
          }
        } catch (IOException e) {
          // gone meanwhile, or not ours: the next sweep tries again
        }
      }
    } catch (IOException e) {
      // a sweep must never stop the cache from opening
    }
  }
}

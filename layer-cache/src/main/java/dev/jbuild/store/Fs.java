package dev.jbuild.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The few filesystem moves crash safety rests on: write-fsync-rename, and fsync of the directory after it.
 *
 * <p>The instance methods are the calls a blob ingest makes (write, fsync, rename, directory fsync), kept overridable
 * as a seam so tests can make them fail the way a full disk or a failing device does (CASES K07). {@link #REAL} is
 * the only instance outside tests. The static helpers serve the other small files (index.json, oci-layout).
 */
class Fs {
  /** The real filesystem. */
  static final Fs REAL = new Fs();

  Fs() {}

  /** Writes all of {@code buf} at the channel's position; a full disk throws ({@code ENOSPC}). */
  void write(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Makes the file's content durable. */
  void force(FileChannel ch) throws IOException {
    ch.force(true);
  }

  /** Renames {@code from} over {@code to} atomically (same filesystem). */
  void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Makes a rename in {@code dir} durable. */
  void syncDirectory(Path dir) throws IOException {
    Durability.fsyncDirectory(dir);
  }

  /** A fresh name in {@code tmpDir}; random so that two processes never pick the same one. */
  static Path tempName(Path tmpDir, String prefix) {
    return tmpDir.resolve(prefix + UUID.randomUUID());
  }

  /**
   * Replaces {@code target} with {@code content} so that a reader (or a crash) sees either the old or the new
   * file, never a mix: write a temp file on the same filesystem, fsync it, rename over, fsync the directory.
   */
  static void atomicWrite(Path target, byte[] content, Path tmpDir) throws IOException {
    Path temp = tempName(tmpDir, "write-");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Durability.fsyncDirectory(target.getParent());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Creates {@code target} with {@code content} unless it exists; a racing creator's file wins. */
  static void createIfAbsent(Path target, byte[] content, Path tmpDir) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path temp = tempName(tmpDir, "write-");
    try {
      Files.write(temp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        // A hard link (unlike rename) fails when the target exists, so two processes can't both "create" it.
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        return;
      } catch (UnsupportedOperationException | IOException e) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Durability.fsyncDirectory(target.getParent());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Reads at most {@code max} bytes of a regular file (never through a symlink); larger means an error. */
  static byte[] readCapped(Path file, long max, String what) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new IOException(what + " " + file + " is larger than " + max + " bytes");
      }
      return bytes;
    }
  }
}

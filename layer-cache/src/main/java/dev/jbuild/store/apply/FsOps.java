package dev.jbuild.store.apply;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Filesystem operations that never follow a symlink at the last component. Parents are trusted: callers pass paths
 * whose parent was resolved in-root by {@link RootResolver}.
 */
final class FsOps {
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private FsOps() {}

  /** lstat, or null when nothing is there. */
  static BasicFileAttributes lstat(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** lchown. */
  static void chown(Path p, long uid, long gid) throws IOException {
    Files.setAttribute(p, "unix:uid", (int) uid, NOFOLLOW);
    Files.setAttribute(p, "unix:gid", (int) gid, NOFOLLOW);
  }

  /**
   * chmod with setuid, setgid and sticky bits. Only for regular files and directories: the JDK opens the file
   * with O_NOFOLLOW to fchmod it, and opening a fifo or a device must never happen.
   */
  static void chmod(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode, NOFOLLOW);
  }

  /** Sets mtime (and atime to the same); for symlinks the JDK uses lutimes. Not for fifos and devices. */
  static void setMtime(Path p, long seconds, int nanos) throws IOException {
    FileTime t = FileTime.from(Instant.ofEpochSecond(seconds, nanos));
    Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, t, null);
  }

  /**
   * Deletes a file, a symlink (not its target) or a directory tree, never following links. Iterative with no
   * directory stream held across levels, so depth costs neither stack nor file descriptors. Directories a
   * non-root user may not write are opened up first.
   */
  static void deleteTree(Path p) throws IOException {
    BasicFileAttributes a = lstat(p);
    if (a == null) {
      return;
    }
    if (!a.isDirectory()) {
      Files.delete(p);
      return;
    }
    Deque<Path> stack = new ArrayDeque<>();
    stack.push(p);
    while (!stack.isEmpty()) {
      Path dir = stack.peek();
      List<Path> subdirs = new ArrayList<>();
      makeWritable(dir);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
        for (Path c : children) {
          BasicFileAttributes ca = lstat(c);
          if (ca == null) {
            continue;
          }
          if (ca.isDirectory()) {
            subdirs.add(c);
          } else {
            Files.delete(c);
          }
        }
      }
      if (subdirs.isEmpty()) {
        Files.delete(stack.pop());
      } else {
        subdirs.forEach(stack::push);
      }
    }
  }

  private static void makeWritable(Path dir) throws IOException {
    if (Files.isWritable(dir) && Files.isExecutable(dir) && Files.isReadable(dir)) {
      return;
    }
    int mode = (Integer) Files.getAttribute(dir, "unix:mode", NOFOLLOW);
    chmod(dir, (mode & 07777) | 0700);
  }

  /** The first of {@code candidates} that exists: host tools only, never a binary from a layer (X07). */
  static Path hostTool(String... candidates) throws IOException {
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IOException("none of " + String.join(", ", candidates) + " is installed on this host");
  }

  /** Runs a host tool and returns its combined output, throwing with that output on a non-zero exit. */
  static String run(List<String> command) throws IOException {
    Process proc = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
    proc.getOutputStream().close();
    String out;
    try (InputStream in = proc.getInputStream()) {
      out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    try {
      if (!proc.waitFor(60, TimeUnit.SECONDS)) {
        proc.destroyForcibly();
        throw new IOException(command.get(0) + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while running " + command.get(0));
    }
    if (proc.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + proc.exitValue() + "): " + out);
    }
    return out;
  }
}

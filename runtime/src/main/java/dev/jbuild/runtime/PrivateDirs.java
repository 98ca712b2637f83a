package dev.jbuild.runtime;

import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Directories for what must not reach a disk, secrets above all: mode 0700, in memory ({@code /dev/shm}) where the
 * host has it writable, else in {@code java.io.tmpdir}. Never under the store, whose files outlive the build.
 *
 * <p>They do not outlive jbuild either. Each is deleted by its user ({@link #delete}), or at exit by a shutdown
 * hook when jbuild is interrupted (Ctrl-C, SIGTERM) before that. A jbuild killed outright leaves its dirs behind:
 * their names carry the pid, and the next {@link #create} of the same user deletes those of processes that are gone.
 */
public final class PrivateDirs {
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hooked;

  private PrivateDirs() {}

  /** A new, empty 0700 directory named {@code prefix}, this process's pid and a random suffix. */
  public static Path create(String prefix) throws IOException {
    if (!prefix.matches("[a-z][a-z-]*-")) {
      throw new IllegalArgumentException("a private dir prefix is lower-case words ending in '-', not " + prefix);
    }
    hook();
    Path shm = Path.of("/dev/shm");
    Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    sweep(parent, prefix);
    Path dir = Files.createTempDirectory(parent, prefix + ProcessHandle.current().pid() + "-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    LIVE.add(dir);
    return dir;
  }

  /** Deletes {@code dir} and everything in it; a failure is ignored (the shutdown hook tries again). */
  public static void delete(Path dir) {
    try {
      LayerApplier.deleteTree(dir);
      LIVE.remove(dir);
    } catch (IOException e) {
      // left for the hook, or the next sweep
    }
  }

  private static void hook() {
    if (!hooked) {
      synchronized (PrivateDirs.class) {
        if (!hooked) {
          Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PrivateDirs::delete),
              "jbuild-private-dirs"));
          hooked = true;
        }
      }
    }
  }

  /** Whether {@code d} belongs to this process's user (/proc/self does, in a user namespace too). */
  private static boolean ownedByUs(Path d) throws IOException {
    return Files.getOwner(d, LinkOption.NOFOLLOW_LINKS).equals(Files.getOwner(Path.of("/proc/self")));
  }

  /** Deletes {@code prefix<pid>-*} dirs of this user whose process is gone. */
  private static void sweep(Path parent, String prefix) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path d : dirs) {
        String rest = d.getFileName().toString().substring(prefix.length());
        int dash = rest.indexOf('-');
        if (dash <= 0 || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) || !ownedByUs(d)) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(rest.substring(0, dash));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).isEmpty()) { // this process's own dirs are never swept: it is alive
          delete(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort: a dir we cannot list or judge is left alone
    }
  }
}

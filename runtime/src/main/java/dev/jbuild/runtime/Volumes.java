package dev.jbuild.runtime;

import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Volume directories: created on first use and, like docker, filled with what the image holds at the mount path
 * ("copy-up"). The image path is resolved inside the container's root ({@link ImageUsers#resolveInRoot}), and the
 * copy never follows a symlink, so an image cannot make jbuild read or write a host path through one (X06).
 */
final class Volumes {
  private Volumes() {}

  /**
   * Makes {@code data} when it does not exist yet, copying the image's directory at {@code containerPath} (under
   * the mounted {@code root}) into it. An existing volume is used as it is, unless it is empty: docker fills any
   * empty volume from the image it is mounted into, not only a new one.
   */
  static void ensure(Path data, Path root, String containerPath) throws ContainerException {
    if (Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
      fillIfEmpty(data, root, containerPath);
      return;
    }
    Path tmp = data.resolveSibling(data.getFileName() + ".new");
    try {
      Files.createDirectories(data.getParent());
      LayerApplier.deleteTree(tmp);
      Files.createDirectory(tmp);
      Optional<Path> from = ImageUsers.resolveInRoot(root, containerPath);
      if (from.isPresent() && Files.isDirectory(from.get(), LinkOption.NOFOLLOW_LINKS)) {
        copyTree(from.get(), tmp);
        copyOwnerAndMode(from.get(), tmp);
      } else {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      try {
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        LayerApplier.deleteTree(tmp); // another container made it first: theirs wins
      }
    } catch (IOException e) {
      throw new ContainerException("cannot create volume " + data + " for " + containerPath + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Copies the image's content at {@code containerPath} into the existing volume {@code data} when it is empty:
   * into a sibling first, then entry by entry by rename, so a container using the volume meanwhile never sees a
   * half-copied file, and an entry it made first is kept.
   */
  private static void fillIfEmpty(Path data, Path root, String containerPath) throws ContainerException {
    try {
      if (!empty(data)) {
        return;
      }
      Optional<Path> from = ImageUsers.resolveInRoot(root, containerPath);
      if (from.isEmpty() || !Files.isDirectory(from.get(), LinkOption.NOFOLLOW_LINKS) || empty(from.get())) {
        return;
      }
      Path tmp = data.resolveSibling(data.getFileName() + ".fill-" + java.util.UUID.randomUUID());
      Files.createDirectory(tmp);
      try {
        copyTree(from.get(), tmp);
        try (Stream<Path> entries = Files.list(tmp)) {
          for (Path e : (Iterable<Path>) entries::iterator) {
            try {
              Files.move(e, data.resolve(e.getFileName().toString())); // never replaces an entry
            } catch (FileAlreadyExistsException taken) {
              // made meanwhile by a container using the volume: theirs wins
            }
          }
        }
        copyOwnerAndMode(from.get(), data);
      } finally {
        LayerApplier.deleteTree(tmp);
      }
    } catch (IOException e) {
      throw new ContainerException("cannot fill volume " + data + " for " + containerPath + ": " + e.getMessage(), e);
    }
  }

  private static boolean empty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.equals(from)) {
          continue;
        }
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(target);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.copy(p, target, LinkOption.NOFOLLOW_LINKS);
        } else {
          continue; // devices, fifos and sockets are not copied up
        }
        copyOwnerAndMode(p, target);
      }
    }
  }

  private static void copyOwnerAndMode(Path from, Path to) throws IOException {
    Map<String, Object> a = Files.readAttributes(from, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(to, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(to, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
    if (!Files.isSymbolicLink(to)) {
      Files.setAttribute(to, "unix:mode", a.get("mode"), LinkOption.NOFOLLOW_LINKS);
    }
  }
}

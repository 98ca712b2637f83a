package dev.jbuild.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which kind of root this process is. RUN steps and containers need uid 0: the real root, or root of a user namespace
 * made by the {@code jbuild} launcher ({@code unshare --user --map-auto --map-root-user --mount}, DESIGN §3).
 */
public final class UserNamespace {
  private UserNamespace() {}

  /** Uid 0 with the identity uid map: the host's root. */
  public static boolean isRealRoot() {
    return currentUid() == 0 && identity("/proc/self/uid_map");
  }

  /** Uid 0 of a user namespace (the rootless re-exec). */
  public static boolean isNamespaceRoot() {
    return currentUid() == 0 && !identity("/proc/self/uid_map");
  }

  /** Whether {@code gid} (a group id inside this namespace) is mapped to some host group. */
  public static boolean gidMapped(long gid) {
    return mapped("/proc/self/gid_map", gid);
  }

  /** Whether {@code uid} (inside this namespace) is mapped. */
  public static boolean uidMapped(long uid) {
    return mapped("/proc/self/uid_map", uid);
  }

  /**
   * Fails with what to do when this process cannot run containers: it is neither root nor root of a user
   * namespace.
   */
  public static void requireRoot(String what) throws ContainerException {
    int uid = currentUid();
    if (uid == 0) {
      return;
    }
    throw new ContainerException(what + " needs uid 0 or a user namespace, and this process runs as uid " + uid
        + ". Start jbuild through its launcher (the `jbuild` script), which re-executes it as root of a user "
        + "namespace with `unshare --user --map-auto --map-root-user --mount` (util-linux >= 2.38, and newuidmap "
        + "from the uidmap package), or run it as root.");
  }

  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static boolean identity(String map) {
    try {
      return Files.readString(Path.of(map)).trim().matches("0\\s+0\\s+4294967295");
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean mapped(String map, long id) {
    try {
      for (String line : Files.readAllLines(Path.of(map))) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 3) {
          long inside = Long.parseLong(f[0]);
          long count = Long.parseLong(f[2]);
          if (id >= inside && id < inside + count) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }
}

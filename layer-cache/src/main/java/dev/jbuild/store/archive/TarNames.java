package dev.jbuild.store.archive;

import java.util.ArrayDeque;
import java.util.Deque;

/** Entry names of archives and rootfs tarballs, cleaned like Go's {@code path.Clean} and checked. */
final class TarNames {
  private TarNames() {}

  /**
   * The name without leading {@code /} or {@code ./}, duplicate or trailing slashes and {@code .} components; the
   * empty string for the root itself. A {@code ..} component anywhere is refused (L01-L03, M15): a name that
   * climbs is never legitimate in an image archive or a root filesystem, even when it would come back down.
   */
  static String clean(String name, String where) throws ArchiveException {
    if (name.indexOf('\0') >= 0) {
      throw new ArchiveException(where + ": entry name contains a NUL byte");
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new ArchiveException(where + ": entry \"" + shown(name) + "\" has a .. component; refusing it");
      }
      parts.addLast(part);
    }
    return String.join("/", parts);
  }

  /** Where a symlink at {@code linkName} pointing at {@code target} leads, as a name inside the archive. */
  static String resolveSymlink(String linkName, String target, String where) throws ArchiveException {
    if (target.startsWith("/")) {
      return clean(target, where);
    }
    int slash = linkName.lastIndexOf('/');
    String dir = slash < 0 ? "" : linkName.substring(0, slash);
    Deque<String> parts = new ArrayDeque<>();
    for (String part : (dir + "/" + target).split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw new ArchiveException(where + ": symlink " + linkName + " -> " + shown(target)
              + " points outside the archive");
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  static String shown(String s) {
    String t = s.length() > 120 ? s.substring(0, 117) + "..." : s;
    StringBuilder b = new StringBuilder();
    t.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7f ? "?" : new String(Character.toChars(c))));
    return b.toString();
  }
}

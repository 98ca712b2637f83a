package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Consumer;

/**
 * Resolves {@code --chown} values the way BuildKit does, reading {@code /etc/passwd} and {@code /etc/group} from the
 * image being built (resolved inside it, so a link to a host path reads the image's file or nothing, case X04, and
 * capped in size, case X05):
 *
 * <ul>
 *   <li>{@code 10}, {@code 10:11}: numeric ids; a lone uid is also the gid;
 *   <li>{@code app}: app's uid and its primary gid from passwd;
 *   <li>{@code app:staff}, {@code 10:staff}, {@code :staff}: the group from /etc/group ({@code :staff} keeps uid 0);
 *   <li>a name with no entry counts as 0, as BuildKit does, with a warning.
 * </ul>
 */
final class UserDb {
  /** Files larger than this are refused rather than parsed (X05). */
  static final long MAX_FILE_BYTES = 16L << 20;

  private UserDb() {}

  /** Returns {uid, gid}. */
  static long[] resolve(String spec, SourceTree image, Consumer<String> warnings, String where)
      throws BuildException {
    String[] parts = spec.split(":", 2);
    long uid = 0;
    long gid = 0;
    Long id = numeric(parts[0]);
    if (id != null) {
      uid = id;
      gid = id;
    } else if (!parts[0].isEmpty()) {
      long[] found = lookup(read(image, "etc/passwd", spec, where), parts[0], 2, 3);
      if (found == null) {
        warnings.accept(where + ": --chown=" + spec + ": no user \"" + parts[0] + "\" in /etc/passwd, using 0");
      } else {
        uid = found[0];
        gid = found[1];
      }
    }
    if (parts.length == 2 && !parts[1].isEmpty()) {
      Long g = numeric(parts[1]);
      if (g != null) {
        gid = g;
      } else {
        long[] found = lookup(read(image, "etc/group", spec, where), parts[1], 2, 2);
        if (found == null) {
          warnings.accept(where + ": --chown=" + spec + ": no group \"" + parts[1] + "\" in /etc/group");
        } else {
          gid = found[0];
        }
      }
    }
    return new long[] {uid, gid};
  }

  /** Strictly numeric and within 32 bits, as Go's ParseUint(s, 10, 32); otherwise a name. */
  static Long numeric(String s) {
    if (!s.matches("\\d{1,10}")) {
      return null;
    }
    long v = Long.parseLong(s);
    return v <= 0xffffffffL ? v : null;
  }

  /**
   * Finds {@code name} in a passwd or group file and returns the numeric fields at {@code first} and {@code second}
   * (passwd: uid 2, gid 3; group: gid 2), or null. Malformed lines are skipped.
   */
  static long[] lookup(String file, String name, int first, int second) {
    for (String line : file.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split(":", -1);
      if (f.length <= Math.max(first, second) || !f[0].equals(name)) {
        continue;
      }
      Long a = numeric(f[first]);
      Long b = numeric(f[second]);
      if (a != null && b != null) {
        return new long[] {a, b};
      }
    }
    return null;
  }

  private static String read(SourceTree image, String path, String spec, String where) throws BuildException {
    try {
      String resolved = TreePaths.resolve(image, path, true, where);
      SourceTree.Node n = image.lstat(resolved);
      if (n == null || n.type() != dev.jbuild.store.tar.LayerEntry.Type.REGULAR) {
        throw new BuildException(where + ": --chown=" + spec + ": cannot look up names: the image has no /" + path
            + (n == null ? "" : " (it is not a regular file)"));
      }
      try (InputStream in = Files.newInputStream(image.content(resolved))) {
        byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        if (bytes.length > MAX_FILE_BYTES) {
          throw new BuildException(where + ": --chown=" + spec + ": /" + path + " of the image is larger than "
              + (MAX_FILE_BYTES >> 20) + " MiB");
        }
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new BuildException(where + ": --chown=" + spec + ": cannot read /" + path + " of the image: "
          + e.getMessage(), e);
    }
  }
}

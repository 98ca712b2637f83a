package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Path resolution inside a {@link SourceTree}, chroot-style: {@code ..} stops at the root and a symlink, even an
 * absolute one, is followed relative to the root (cases B03, B05, B14, B17). Also expands the wildcards of COPY
 * sources, one path component at a time with Go's {@code filepath.Match} syntax.
 */
final class TreePaths {
  /** Linux's own limit (MAXSYMLINKS). */
  static final int MAX_HOPS = 40;

  private TreePaths() {}

  /**
   * Resolves {@code path} inside the tree, following symlinks in every component, the last one too when {@code
   * followLast}. A component that does not exist is kept as it is, so the result names what is missing.
   */
  static String resolve(SourceTree tree, String path, boolean followLast, String where)
      throws BuildException, IOException {
    Deque<String> pending = new ArrayDeque<>(split(path));
    Deque<String> done = new ArrayDeque<>();
    int hops = 0;
    while (!pending.isEmpty()) {
      String part = pending.removeFirst();
      if (part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      String candidate = join(String.join("/", done), part);
      SourceTree.Node n = tree.lstat(candidate);
      if (n != null && n.symlink() && (followLast || !pending.isEmpty())) {
        if (++hops > MAX_HOPS) {
          throw new BuildException(where + ": too many levels of symbolic links at " + path + " in "
              + tree.describe());
        }
        if (n.linkTarget().startsWith("/")) {
          done.clear();
        }
        List<String> target = split(n.linkTarget());
        for (int i = target.size() - 1; i >= 0; i--) {
          pending.addFirst(target.get(i));
        }
      } else {
        done.addLast(part);
      }
    }
    return String.join("/", done);
  }

  /**
   * The paths matching {@code pattern} (cleaned, relative), sorted, as named through the pattern (a match under a
   * symlinked directory keeps the link's name). A pattern without wildcards gives itself when it exists.
   */
  static List<String> glob(SourceTree tree, String pattern, String where) throws BuildException, IOException {
    List<String> out = new ArrayList<>();
    expand(tree, split(pattern), 0, "", out, where);
    return out;
  }

  private static void expand(SourceTree tree, List<String> parts, int i, String prefix, List<String> out,
      String where) throws BuildException, IOException {
    if (i == parts.size()) {
      if (tree.lstat(resolve(tree, prefix, false, where)) != null) {
        out.add(prefix);
      }
      return;
    }
    String part = parts.get(i);
    if (!GoGlob.hasMeta(part)) {
      expand(tree, parts, i + 1, join(prefix, part), out, where);
      return;
    }
    String dir = resolve(tree, prefix, true, where);
    SourceTree.Node n = tree.lstat(dir);
    if (n == null || !n.directory()) {
      return;
    }
    GoGlob glob = GoGlob.compile(part, where);
    for (String name : tree.list(dir)) {
      if (glob.matches(name)) {
        expand(tree, parts, i + 1, join(prefix, name), out, where);
      }
    }
  }

  static String join(String dir, String name) {
    return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + "/" + name;
  }

  static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static List<String> split(String path) {
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    return parts;
  }
}

package dev.jbuild.store.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves directory paths inside the root, chroot-style, one component at a time: an absolute symlink restarts
 * at the root, a relative one is expanded in place, and a ".." that would climb above the root is an error (the
 * "reject" policy of CASES.md; go-archive does the same since moby#53258). The result is a real path: every
 * component an actual directory, so the kernel follows no link when it is used.
 *
 * <p>Resolved directories are cached by entry name (an LRU, so memory stays bounded) because tar entries come
 * grouped by directory: without it every entry would cost one lstat per component. The applier clears the cache
 * whenever it removes a directory or a symlink, the only changes that can alter an earlier resolution.
 */
final class RootResolver {
  static final int MAX_LINKS = 40; // Linux's MAXSYMLINKS
  private static final int CACHE = 4096;

  /** A resolved directory: its real path and its path relative to the root ("" for the root). */
  record Dir(Path path, String rel) {}

  private final Path root;
  private final Dir rootDir;
  private final Map<String, Dir> cache = lru();
  private final Map<String, Path> strictCache = lru();

  private final PathSet madeDirs;

  RootResolver(Path root, PathSet madeDirs) {
    this.root = root;
    this.madeDirs = madeDirs;
    this.rootDir = new Dir(root, "");
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > CACHE;
      }
    };
  }

  Dir root() {
    return rootDir;
  }

  void invalidate() {
    cache.clear();
    strictCache.clear();
  }

  /** Records a directory the applier just created or kept at {@code name}. */
  void remember(String name, Dir dir) {
    cache.put(name, dir);
  }

  Dir child(Dir parent, String name) {
    return new Dir(parent.path().resolve(name), parent.rel().isEmpty() ? name : parent.rel() + "/" + name);
  }

  /**
   * Resolves the directory named by the first {@code n} components. With {@code create}, missing directories are
   * made and non-directories on the way are replaced by directories (umoci #546); without, returns null when the
   * path does not lead to a directory.
   */
  Dir dir(String[] comps, int n, boolean create, String entry) throws IOException, LayerApplyException {
    if (n == 0) {
      return rootDir;
    }
    String key = join(comps, n);
    Dir hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    Path cur = root;
    int start = 0;
    if (n > 1) {
      Dir parent = cache.get(join(comps, n - 1));
      if (parent != null) {
        cur = parent.path();
        start = n - 1;
      }
    }
    Deque<String> todo = new ArrayDeque<>();
    for (int i = start; i < n; i++) {
      todo.addLast(comps[i]);
    }
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (cur.equals(root)) {
          throw new LayerApplyException(entry, "path escapes the root through a symbolic link");
        }
        cur = cur.getParent();
        continue;
      }
      Path next = cur.resolve(c);
      BasicFileAttributes a = FsOps.lstat(next);
      if (a == null) {
        if (!create) {
          return null;
        }
        Files.createDirectory(next);
        madeDirs.add(root.relativize(next).toString());
      } else if (a.isSymbolicLink()) {
        if (++links > MAX_LINKS) {
          throw new LayerApplyException(entry, "too many levels of symbolic links");
        }
        String target = Files.readSymbolicLink(next).toString();
        if (target.startsWith("/")) {
          cur = root;
        }
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
        continue;
      } else if (!a.isDirectory()) {
        if (!create) {
          return null;
        }
        Files.delete(next);
        Files.createDirectory(next);
        madeDirs.add(root.relativize(next).toString());
      }
      cur = next;
    }
    Dir d = new Dir(cur, root.relativize(cur).toString());
    cache.put(key, d);
    return d;
  }

  /**
   * The directory at root-relative {@code rel} if every component is still a real directory (no symlink), else
   * null. For metadata applied at the end, after later entries may have swapped a directory for a link.
   */
  Path strict(String rel) throws IOException {
    if (rel.isEmpty()) {
      return root;
    }
    Path hit = strictCache.get(rel);
    if (hit != null) {
      return hit;
    }
    int slash = rel.lastIndexOf('/');
    Path parent = slash < 0 ? root : strict(rel.substring(0, slash));
    if (parent == null) {
      return null;
    }
    Path p = parent.resolve(rel.substring(slash + 1));
    BasicFileAttributes a = FsOps.lstat(p);
    if (a == null || !a.isDirectory()) {
      return null;
    }
    strictCache.put(rel, p);
    return p;
  }

  private static String join(String[] comps, int n) {
    if (n == 1) {
      return comps[0];
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(comps[i]);
    }
    return sb.toString();
  }
}

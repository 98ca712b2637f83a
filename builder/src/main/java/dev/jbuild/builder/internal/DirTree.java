package dev.jbuild.builder.internal;

import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A host directory as a {@link SourceTree}: the build context (with its .dockerignore), or a scratch directory
 * holding a download, an unpacked archive or a git checkout. Every lookup is by lstat under the root, and a
 * symlink among the parent components is refused, so nothing outside the root is ever read.
 */
final class DirTree implements SourceTree {
  private static final int S_IFMT = 0170000;

  private final Path root;
  private final PatternMatcher ignore;
  private final boolean keepOwners;
  private final String description;
  private final ContextHasher statCache;
  /**
   * Parent paths already seen to be real directories, not symlinks: a COPY of thousands of files would otherwise
   * lstat every parent of every file again. A tree is read within one build, while its content is taken as fixed.
   */
  private final java.util.Set<String> realDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * What {@link #lstat} and {@link #list} found, for the same reason: a COPY that misses the cache plans twice (for
   * its key, then for its layer), and the second plan reads nothing from the disk again. {@link #ABSENT} stands for
   * a path that is missing or left out.
   */
  private final java.util.Map<String, Node> stats = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, List<String>> listings = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Node ABSENT = new Node(LayerEntry.Type.FIFO, 0, 0, 0, java.time.Instant.EPOCH, null, null);

  DirTree(Path root, PatternMatcher ignore, boolean keepOwners, String description) throws IOException {
    this(root, ignore, keepOwners, description, null);
  }

  /** As above, for a directory whose files are hashed through {@code statCache} (a directory named context). */
  DirTree(Path root, PatternMatcher ignore, boolean keepOwners, String description, ContextHasher statCache)
      throws IOException {
    this.root = root.toRealPath();
    this.ignore = ignore;
    this.keepOwners = keepOwners;
    this.description = description;
    this.statCache = statCache;
  }

  @Override
  public ContextHasher statCache() {
    return statCache;
  }

  Path root() {
    return root;
  }

  @Override
  public Node lstat(String path) throws IOException {
    Node known = stats.get(path);
    if (known == null) {
      Node found = read(path);
      known = found == null ? ABSENT : found;
      stats.put(path, known);
    }
    return known == ABSENT ? null : known;
  }

  private Node read(String path) throws IOException {
    Path host = host(path);
    ContextHasher.FileStat a;
    try {
      a = ContextHasher.lstat(host);
    } catch (java.nio.file.FileSystemException e) {
      if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        return null; // missing, or a parent is not a directory
      }
      throw e;
    }
    int mode = a.mode();
    LayerEntry.Type type = switch (mode & S_IFMT) {
      case 0040000 -> LayerEntry.Type.DIRECTORY;
      case 0120000 -> LayerEntry.Type.SYMLINK;
      case 0100000 -> LayerEntry.Type.REGULAR;
      case 0010000 -> LayerEntry.Type.FIFO;
      case 0020000 -> LayerEntry.Type.CHAR_DEVICE;
      case 0060000 -> LayerEntry.Type.BLOCK_DEVICE;
      default -> null; // sockets: not content
    };
    if (type == null || !path.isEmpty() && ignore.leavesOut(path, type == LayerEntry.Type.DIRECTORY)) {
      return null;
    }
    String link = type == LayerEntry.Type.SYMLINK ? Files.readSymbolicLink(host).toString() : null;
    return new Node(type, mode & 07777, a.uid(), a.gid(), a.mtime(), link, a);
  }

  @Override
  public List<String> list(String dir) throws IOException {
    List<String> known = listings.get(dir);
    if (known == null) {
      known = List.copyOf(readList(dir));
      listings.put(dir, known);
    }
    return known;
  }

  private List<String> readList(String dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(host(dir))) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        String rel = dir.isEmpty() ? name : dir + "/" + name;
        if (ignore.isEmpty() || !ignore.leavesOut(rel, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
          names.add(name);
        }
      }
    }
    names.sort(null);
    return names;
  }

  @Override
  public Path content(String path) throws IOException {
    return host(path);
  }

  @Override
  public boolean keepsOwners() {
    return keepOwners;
  }

  @Override
  public String describe() {
    return description;
  }

  /** The host path of {@code path}, refusing any symlink among its parents (they must have been resolved). */
  private Path host(String path) throws IOException {
    Path p = root;
    if (path.isEmpty()) {
      return p;
    }
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      boolean last = slash < 0;
      String part = last ? path.substring(start) : path.substring(start, slash);
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IOException("unclean path \"" + path + "\" in " + description);
      }
      p = p.resolve(part);
      if (last) {
        return p;
      }
      String prefix = path.substring(0, slash);
      if (!realDirectories.contains(prefix)) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileSystemException e) {
          a = null; // missing, or under a file: the lookup that follows fails as it should
        }
        if (a != null && a.isSymbolicLink()) {
          throw new IOException("unresolved symlink " + prefix + " in " + description);
        }
        if (a != null && a.isDirectory()) {
          realDirectories.add(prefix);
        }
      }
      start = slash + 1;
    }
  }
}

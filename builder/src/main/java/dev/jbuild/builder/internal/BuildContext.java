package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * The build context directory. Every source path is resolved inside it, chroot-style: {@code ..} cannot climb
 * above the root and a symlink, even an absolute one, is followed relative to the root (security cases
 * B01, B03, B05). The host outside the context is never read.
 */
public final class BuildContext {
  private static final int MAX_SYMLINK_HOPS = 40;

  private final Path root;

  public BuildContext(Path root) throws BuildException {
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new BuildException("build context " + root + " does not exist or cannot be read");
    }
    if (!Files.isDirectory(this.root)) {
      throw new BuildException("build context " + root + " is not a directory");
    }
  }

  public Path root() {
    return root;
  }

  /** A file of the context with the path it has inside it ({@code a/b.txt}, or "" for the root). */
  public record Source(String relative, Path hostPath) {}

  /**
   * Resolves a COPY/ADD source, which may hold wildcards ({@code *}, {@code ?}, {@code [...]} per path
   * component, as Go's filepath.Match). Returns every match, sorted; an empty list when nothing matches.
   */
  public List<Source> resolve(String source, String where) throws BuildException {
    String cleaned = clean(source, where);
    List<String> components = cleaned.isEmpty() ? List.of() : List.of(cleaned.split("/"));
    List<Source> matches = new ArrayList<>();
    expand(components, 0, "", matches, where);
    matches.sort((a, b) -> a.relative().compareTo(b.relative()));
    return matches;
  }

  private void expand(List<String> components, int i, String prefix, List<Source> out, String where)
      throws BuildException {
    if (i == components.size()) {
      out.add(new Source(prefix, resolveInRoot(prefix, where)));
      return;
    }
    String component = components.get(i);
    if (!GoGlob.hasMeta(component)) {
      String next = prefix.isEmpty() ? component : prefix + "/" + component;
      if (i + 1 < components.size() || Files.exists(resolveInRoot(next, where), LinkOption.NOFOLLOW_LINKS)) {
        expand(components, i + 1, next, out, where);
      }
      return;
    }
    Path dir = resolveInRoot(prefix, where);
    if (!Files.isDirectory(dir)) {
      return;
    }
    GoGlob glob = GoGlob.compile(component, where);
    List<String> names = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw new BuildException(where + ": cannot list " + (prefix.isEmpty() ? "the context root" : prefix) + ": "
          + e.getMessage());
    }
    names.sort(null);
    for (String name : names) {
      if (glob.matches(name)) {
        expand(components, i + 1, prefix.isEmpty() ? name : prefix + "/" + name, out, where);
      }
    }
  }

  /**
   * Cleans a path lexically the way BuildKit does and refuses one that leaves the context: {@code ../x} and
   * {@code /../x} are errors, {@code /a/./b} is {@code a/b}.
   */
  static String clean(String path, String where) throws BuildException {
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw new BuildException(where + ": forbidden path outside the build context: " + path);
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /**
   * Follows a context-relative path component by component, resolving symlinks inside the root, and returns
   * the host path it lands on. The result is always under {@link #root}.
   */
  public Path resolveInRoot(String relative, String where) throws BuildException {
    Deque<String> pending = new ArrayDeque<>();
    for (String part : relative.split("/")) {
      if (!part.isEmpty()) {
        pending.addLast(part);
      }
    }
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
      Path candidate = hostPath(done).resolve(part);
      if (Files.isSymbolicLink(candidate)) {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw new BuildException(where + ": too many levels of symbolic links at " + relative);
        }
        String target;
        try {
          target = Files.readSymbolicLink(candidate).toString();
        } catch (IOException e) {
          throw new BuildException(where + ": cannot read link " + relative + ": " + e.getMessage());
        }
        if (target.startsWith("/")) {
          done.clear();
        }
        Deque<String> expanded = new ArrayDeque<>();
        for (String t : target.split("/")) {
          if (!t.isEmpty()) {
            expanded.addLast(t);
          }
        }
        while (!expanded.isEmpty()) {
          pending.addFirst(expanded.removeLast());
        }
      } else {
        done.addLast(part);
      }
    }
    return hostPath(done);
  }

  private Path hostPath(Deque<String> parts) {
    Path p = root;
    for (String part : parts) {
      p = p.resolve(part);
    }
    return p;
  }
}

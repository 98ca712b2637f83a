package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * B01, B03, B05). The host outside the context is never read. Files that {@code .dockerignore} (or {@code
 * <Dockerfile>.dockerignore} beside the Dockerfile, which wins) excludes are invisible to COPY and ADD.
 *
 * <p>A context may also arrive as a tar stream ({@code jbuild build -}): see {@link ContextArchive}.
 */
public final class BuildContext implements AutoCloseable {
  private static final int MAX_SYMLINK_HOPS = 40;
  /** .dockerignore files larger than this are refused. */
  static final long MAX_IGNORE_BYTES = 1L << 20;

  private final Path root;
  private final PatternMatcher ignore;
  private final Path dockerfile;
  private final Path owned;
  private DirTree tree;

  public BuildContext(Path root) throws BuildException {
    this(root, PatternMatcher.none(), null, null);
  }

  private BuildContext(Path root, PatternMatcher ignore, Path dockerfile, Path owned) throws BuildException {
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new BuildException("build context " + root + " does not exist or cannot be read");
    }
    if (!Files.isDirectory(this.root)) {
      throw new BuildException("build context " + root + " is not a directory");
    }
    this.ignore = ignore;
    this.dockerfile = dockerfile;
    this.owned = owned;
  }

  /**
   * The context directory {@code root} with its ignore file, for the Dockerfile {@code dockerfile} (null: {@code
   * root/Dockerfile}). A Dockerfile inside the context is resolved inside it, so a {@code Dockerfile} that is a
   * link to a host file is not found (B04); one outside the context is read as given, as BuildKit does.
   */
  public static BuildContext open(Path root, Path dockerfile) throws BuildException {
    BuildContext plain = new BuildContext(root);
    Path df = plain.locateDockerfile(dockerfile == null ? plain.root.resolve("Dockerfile") : dockerfile);
    return new BuildContext(plain.root, readIgnore(plain, df), df, null);
  }

  /**
   * A directory named context ({@code --build-context NAME=DIR}) with its own {@code .dockerignore}, as BuildKit
   * reads it for a local named context (no Dockerfile-specific ignore file: there is no Dockerfile there).
   */
  static BuildContext openNamed(Path root) throws BuildException {
    BuildContext plain = new BuildContext(root);
    return new BuildContext(plain.root, readIgnore(plain, null), null, null);
  }

  /**
   * A context read from {@code tar} (plain or compressed, as {@code docker build - < ctx.tar.gz}) and unpacked
   * with the layer applier's guarantees into a new directory under {@code scratchParent}, which {@link #close()}
   * deletes. When the stream is not an archive it is the Dockerfile itself and the context is empty, as docker
   * does with {@code docker build - < Dockerfile}. {@code dockerfile} (null: {@code Dockerfile}) names a file
   * inside the archive; a name leading outside it is refused (B02).
   */
  public static BuildContext fromTar(java.io.InputStream tar, Path dockerfile, Path scratchParent)
      throws BuildException {
    ContextArchive.Unpacked u = ContextArchive.unpack(tar, scratchParent);
    try {
      BuildContext plain = new BuildContext(u.context());
      Path df;
      if (u.dockerfile() != null) {
        df = u.dockerfile();
      } else {
        String name = dockerfile == null ? "Dockerfile" : dockerfile.toString();
        String rel = clean(name, "-f " + name);
        if (rel.isEmpty()) {
          throw new BuildException("-f " + name + ": not a file in the build context");
        }
        df = plain.resolveInRoot(rel, "-f " + name);
      }
      return new BuildContext(plain.root, readIgnore(plain, df), df, u.owned());
    } catch (BuildException | RuntimeException e) {
      ContextArchive.delete(u.owned());
      throw e;
    }
  }

  public Path root() {
    return root;
  }

  /** The Dockerfile to read, resolved inside the context when it lies there; null for a plain {@link #BuildContext}. */
  public Path dockerfile() {
    return dockerfile;
  }

  /** The context as COPY and ADD see it: ignored files left out, owners 0:0. */
  DirTree tree() throws BuildException {
    if (tree == null) {
      try {
        tree = new DirTree(root, ignore, false, "the build context " + root);
      } catch (IOException e) {
        throw new BuildException("cannot read the build context " + root + ": " + e.getMessage(), e);
      }
    }
    return tree;
  }

  PatternMatcher ignore() {
    return ignore;
  }

  /** Whether this context is a temporary unpacked stream, whose stat cache would never be hit again. */
  boolean temporary() {
    return owned != null;
  }

  /** Deletes a context this class unpacked; a directory context is left alone. */
  @Override
  public void close() {
    ContextArchive.delete(owned);
  }

  private Path locateDockerfile(Path given) throws BuildException {
    Path abs = given.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    Path realParent;
    try {
      realParent = parent == null ? null : parent.toRealPath();
    } catch (IOException e) {
      return abs; // reported as "Cannot locate specified Dockerfile" when read
    }
    Path real = realParent == null ? abs : realParent.resolve(abs.getFileName());
    if (!real.startsWith(root)) {
      return abs;
    }
    return resolveInRoot(root.relativize(real).toString(), "Dockerfile");
  }

  /** {@code <Dockerfile>.dockerignore} beside the Dockerfile wins over the context's {@code .dockerignore}. */
  private static PatternMatcher readIgnore(BuildContext ctx, Path dockerfile) throws BuildException {
    Path specific = dockerfile == null ? null
        : dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
    Path file = null;
    if (specific != null && Files.isRegularFile(specific)) {
      file = specific.startsWith(ctx.root)
          ? ctx.resolveInRoot(ctx.root.relativize(specific).toString(), specific.toString()) : specific;
    }
    if (file == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      file = ctx.resolveInRoot(".dockerignore", ".dockerignore");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return PatternMatcher.none();
    }
    String name = file.startsWith(ctx.root) ? ctx.root.relativize(file).toString() : file.toString();
    try {
      if (Files.size(file) > MAX_IGNORE_BYTES) {
        throw new BuildException(name + " is larger than " + (MAX_IGNORE_BYTES >> 10) + " KiB");
      }
      return PatternMatcher.compile(ignoreLines(Files.readString(file, StandardCharsets.UTF_8)), name);
    } catch (IOException e) {
      throw new BuildException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The patterns of a .dockerignore as BuildKit reads it: a UTF-8 BOM dropped, lines starting with {@code #}
   * skipped, each line trimmed; {@link PatternMatcher#compile} cleans them.
   */
  static List<String> ignoreLines(String content) {
    String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
    List<String> out = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      String p = line.strip();
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
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

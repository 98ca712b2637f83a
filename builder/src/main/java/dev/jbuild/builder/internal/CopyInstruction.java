package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * COPY, and ADD of local files, from the build context. The rules are docker's: a directory source copies
 * its contents; several sources need a destination ending in {@code /}; a file goes to {@code dest/name}
 * when the destination is a directory; a relative destination is relative to WORKDIR. File modes and
 * mtimes come from the context (mtimes are clamped later when SOURCE_DATE_EPOCH is set), owners are 0:0
 * unless {@code --chown} says otherwise.
 */
final class CopyInstruction {
  private final StepContext ctx;

  CopyInstruction(StepContext ctx) {
    this.ctx = ctx;
  }

  void apply(Copy copy, StageState state) throws BuildException {
    if (copy.from() != null) {
      throw unsupported(copy, "COPY --from (copying out of another stage or image)");
    }
    if (!copy.heredocs().isEmpty()) {
      throw unsupported(copy, "COPY with a heredoc");
    }
    copyFromContext(copy, state, copy.sources(), copy.destination(), copy.chown(), copy.chmod(), copy.excludes(),
        copy.parents());
  }

  void apply(Add add, StageState state) throws BuildException {
    for (String source : add.sources()) {
      if (source.matches("(?i)^(https?|git)://.*") || source.startsWith("git@")) {
        throw unsupported(add, "ADD of a URL or git repository");
      }
      if (source.matches("(?i).*\\.(tar|tgz|tar\\.gz|tar\\.bz2|tbz2|tar\\.xz|txz|tar\\.zst)$")) {
        throw unsupported(add, "ADD of a local archive (auto-extraction); use COPY to copy it as a file");
      }
    }
    if (!add.heredocs().isEmpty()) {
      throw unsupported(add, "ADD with a heredoc");
    }
    copyFromContext(add, state, add.sources(), add.destination(), add.chown(), add.chmod(), add.excludes(), false);
  }

  private BuildException unsupported(Instruction at, String what) {
    return new BuildException(ctx.where(at) + ": " + what + " is not supported by this version of jbuild yet");
  }

  private void copyFromContext(Instruction at, StageState state, List<String> rawSources, String rawDest,
      String chown, String chmod, List<String> excludes, boolean parents) throws BuildException {
    if (!excludes.isEmpty() || parents) {
      throw unsupported(at, "--exclude and --parents");
    }
    Map<String, String> env = state.expansionEnv();
    List<String> sources = ctx.expandAll(rawSources, env, at);
    String dest = ctx.expand(rawDest, env, at);
    long[] owner = chown == null ? new long[] {0, 0} : owner(ctx.expand(chown, env, at), at);
    Integer mode = chmod == null ? null : mode(ctx.expand(chmod, env, at), at);

    List<BuildContext.Source> matches = new ArrayList<>();
    for (String source : sources) {
      List<BuildContext.Source> found = ctx.context().resolve(source, ctx.where(at));
      if (found.isEmpty() || !Files.exists(found.get(0).hostPath(), LinkOption.NOFOLLOW_LINKS)) {
        throw new BuildException(ctx.where(at) + ": " + keyword(at) + " failed: \"" + source
            + "\" not found in the build context " + ctx.context().root());
      }
      matches.addAll(found);
    }
    boolean destIsDir = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
    if (matches.size() > 1 && !destIsDir) {
      throw new BuildException(ctx.where(at) + ": When using " + keyword(at)
          + " with more than one source file, the destination must be a directory and end with a /");
    }
    String destPath = ImagePaths.join(state.workingDir(), dest).substring(1);
    TreeMap<String, LayerEntry> entries = new TreeMap<>();
    try {
      FileIndex files = state.files(ctx.store().blobs());
      FileIndex.Meta existing = destPath.isEmpty() ? null : files.get(destPath);
      boolean intoDir = destIsDir || (existing != null && existing.directory());
      for (BuildContext.Source match : matches) {
        Path host = match.hostPath();
        if (Files.isDirectory(host)) {
          addTree(host, destPath, owner, mode, entries);
        } else {
          String name = host.getFileName() == null ? match.relative() : host.getFileName().toString();
          String target = intoDir ? join(destPath, name) : destPath;
          if (target.isEmpty()) {
            throw new BuildException(ctx.where(at) + ": cannot copy a file onto /");
          }
          addOne(host, target, owner, mode, entries);
        }
      }
    } catch (IOException | StoreException e) {
      throw new BuildException(ctx.where(at) + ": " + keyword(at) + " failed: " + e.getMessage(), e);
    }
    LayerCommit.commit(ctx, state, at, entries);
  }

  private static String keyword(Instruction at) {
    return at instanceof Add ? "ADD" : "COPY";
  }

  private static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  /** Copies the contents of {@code dir} (not the directory itself) under {@code dest}. */
  private void addTree(Path dir, String dest, long[] owner, Integer mode, TreeMap<String, LayerEntry> entries)
      throws IOException {
    if (!dest.isEmpty()) {
      addOne(dir, dest, owner, mode, entries);
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        if (!d.equals(dir)) {
          addOne(d, join(dest, relative(dir, d)), owner, mode, entries);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        addOne(f, join(dest, relative(dir, f)), owner, mode, entries);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private void addOne(Path host, String path, long[] owner, Integer mode, TreeMap<String, LayerEntry> entries)
      throws IOException {
    PosixFileAttributes attrs = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    int perms = mode != null ? mode : permissions(attrs.permissions(), host);
    java.time.Instant mtime = attrs.lastModifiedTime().toInstant();
    LayerEntry entry;
    if (attrs.isSymbolicLink()) {
      entry = new LayerEntry(path, LayerEntry.Type.SYMLINK, null, 0, 0777, owner[0], owner[1], mtime,
          Files.readSymbolicLink(host).toString(), 0, 0, Map.of());
    } else if (attrs.isDirectory()) {
      entry = LayerEntry.directory(path, perms, owner[0], owner[1], mtime);
    } else if (attrs.isRegularFile()) {
      entry = LayerEntry.file(path, host, attrs.size(), perms, owner[0], owner[1], mtime);
    } else {
      return; // sockets and fifos in a context are not content; docker skips them too
    }
    entries.put(path, entry);
  }

  /** Permission bits plus setuid/setgid/sticky, which NIO's PosixFilePermission set cannot express. */
  private static int permissions(Set<PosixFilePermission> perms, Path host) throws IOException {
    Object unixMode = Files.getAttribute(host, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if (unixMode instanceof Integer m) {
      return m & 07777;
    }
    int bits = 0;
    for (PosixFilePermission p : perms) {
      bits |= 1 << (8 - p.ordinal());
    }
    return bits;
  }

  private long[] owner(String spec, Instruction at) throws BuildException {
    String[] parts = spec.split(":", 2);
    long uid = numeric(parts[0], spec, at);
    long gid = parts.length == 2 ? numeric(parts[1], spec, at) : uid;
    return new long[] {uid, gid};
  }

  private long numeric(String id, String spec, Instruction at) throws BuildException {
    if (!id.matches("\\d{1,10}")) {
      throw new BuildException(ctx.where(at) + ": --chown=" + spec
          + ": user and group names are not supported by this version of jbuild yet; use numeric uid:gid");
    }
    return Long.parseLong(id);
  }

  private int mode(String spec, Instruction at) throws BuildException {
    if (!spec.matches("[0-7]{1,4}")) {
      throw new BuildException(ctx.where(at) + ": --chmod=" + spec
          + ": only octal modes are supported by this version of jbuild yet");
    }
    return Integer.parseInt(spec, 8);
  }
}

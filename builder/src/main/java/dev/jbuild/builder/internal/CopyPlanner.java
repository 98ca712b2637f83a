package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.ir.Heredoc;
import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Works out the entries of one COPY or ADD with BuildKit's rules (see {@link CopyInstruction}). One planner per
 * instruction run; it only reads (the image, the sources) and fetches into the build's scratch space.
 */
final class CopyPlanner {
  private final StepContext ctx;
  private final CopySources sources;
  private final CopySpec spec;
  private final StageState state;
  private final String where;
  private final CopyPlan plan;
  private final boolean forCacheKey;
  private Map<String, String> env;
  private SourceTree image;
  private long[] owner;
  private ChmodSpec chmod;
  private PatternMatcher excludes;
  private String destResolved;
  private boolean intoDir;

  CopyPlanner(StepContext ctx, CopySources sources, CopySpec spec, StageState state) {
    this(ctx, sources, spec, state, false);
  }

  /**
   * With {@code forCacheKey}, the plan is only hashed for the step's cache key: it does not resolve the destination
   * through the image (the key's parent field already pins the image), so a cached step never reads the image's
   * layers. The image is read only for --chown names.
   */
  CopyPlanner(StepContext ctx, CopySources sources, CopySpec spec, StageState state, boolean forCacheKey) {
    this.forCacheKey = forCacheKey;
    this.ctx = ctx;
    this.sources = sources;
    this.spec = spec;
    this.state = state;
    this.where = ctx.where(spec.at());
    this.plan = new CopyPlan(spec.link());
  }

  CopyPlan plan() throws BuildException {
    env = state.expansionEnv();
    List<String> srcs = ctx.expandAll(spec.sources(), env, spec.at());
    String dest = ctx.expand(spec.dest(), env, spec.at());
    String from = spec.from() == null ? null : ctx.expand(spec.from(), env, spec.at());
    String chownSpec = spec.chown() == null ? null : ctx.expand(spec.chown(), env, spec.at());
    boolean ownerByName = false;
    if (chownSpec != null) {
      for (String part : chownSpec.split(":", 2)) {
        ownerByName |= !part.isEmpty() && UserDb.numeric(part) == null;
      }
    }
    SourceTree current = forCacheKey && !ownerByName ? null : sources.tree(state, "stage " + state.label());
    image = spec.link() || forCacheKey ? null : current;
    if (chownSpec != null) {
      owner = UserDb.resolve(chownSpec, current, sources::warn, where);
    }
    if (spec.chmod() != null) {
      String m = ctx.expand(spec.chmod(), env, spec.at());
      try {
        chmod = ChmodSpec.parse(m);
      } catch (IllegalArgumentException e) {
        throw new BuildException(where + ": --chmod=" + m + ": " + e.getMessage());
      }
    }
    excludes = PatternMatcher.compile(ctx.expandAll(spec.excludes(), env, spec.at()), where + ": --exclude");
    boolean dirSyntax = dest.endsWith("/") || dest.equals(".") || dest.endsWith("/.") || dest.isEmpty();
    if (srcs.size() + spec.heredocs().size() > 1 && !dirSyntax) {
      throw new BuildException(where + ": When using " + spec.keyword()
          + " with more than one source file, the destination must be a directory and end with a /");
    }
    String destRel = ImagePaths.join(state.workingDir(), dest).substring(1);
    try {
      destResolved = image == null ? destRel : TreePaths.resolve(image, destRel, true, where);
      SourceTree.Node existing = image == null ? null : image.lstat(destResolved);
      intoDir = dirSyntax || existing != null && existing.directory();
      for (String source : srcs) {
        if (spec.checksum() != null && !UrlFetcher.isUrl(source) && !GitFetcher.isGitUrl(source)) {
          throw new BuildException(where + ": checksum can't be specified for non-HTTP(S) sources: " + source);
        }
        if (GitFetcher.isGitUrl(source) || UrlFetcher.isUrl(source)) {
          if (!spec.add()) {
            throw new BuildException(where + ": source can't be a URL for COPY: " + UrlFetcher.redact(source));
          }
          if (GitFetcher.isGitUrl(source)) {
            gitSource(source);
          } else {
            urlSource(source);
          }
        } else if (from != null) {
          treeSource(sources.from(from, where), source, ImagePaths.join("/", source).substring(1), false);
        } else {
          BuildContext context = ctx.context();
          treeSource(context.tree(), source, BuildContext.clean(source, where), true);
        }
      }
      for (Heredoc h : spec.heredocs()) {
        heredoc(h);
      }
    } catch (IOException e) {
      throw new BuildException(where + ": " + spec.keyword() + " failed: " + e.getMessage(), e);
    }
    linkHardLinks();
    return plan;
  }

  /**
   * Files that are one file under several names (hard links: in the context, an unpacked archive, or a stage's or
   * image's layer tree, where a layer's hard links are hard links on disk) stay one file in the layer, as BuildKit
   * and buildah copy them: the first name in layer order keeps the content, the others become hard links to it.
   * Only names this COPY takes are linked; a name it leaves out is not looked for.
   */
  private void linkHardLinks() {
    List<String> names = new ArrayList<>();
    plan.hostFiles.forEach((path, st) -> {
      LayerEntry e = plan.entries.get(path);
      // One file with one name, reached twice (a symlinked source, overlapping sources), is not a hard link.
      if (st != null && e != null && e.type() == LayerEntry.Type.REGULAR && st.nlink() >= 2) {
        names.add(path);
      }
    });
    if (names.size() < 2) {
      return; // the usual case: nothing to link, and no sort of every name to find that out
    }
    names.sort(LayerTarWriter::comparePaths);
    Map<List<Long>, String> first = new HashMap<>();
    for (String path : names) {
      ContextHasher.FileStat st = plan.hostFiles.get(path);
      LayerEntry e = plan.entries.get(path);
      String target = first.putIfAbsent(List.of(st.dev(), st.ino()), path);
      if (target != null) {
        plan.entries.put(path, LayerEntry.hardlink(path, target, e.mode(), e.uid(), e.gid(), e.mtime()));
        plan.statCached.remove(path);
      }
    }
  }

  /** Sources from a tree: the context or an earlier stage or image. */
  private void treeSource(SourceTree tree, String raw, String cleaned, boolean context)
      throws BuildException, IOException {
    int pivot = pivotDepth(raw);
    List<String> matches = TreePaths.glob(tree, cleaned, where);
    if (matches.isEmpty()) {
      if (hasMeta(cleaned)) {
        return; // BuildKit allows a wildcard to match nothing
      }
      throw new BuildException(where + ": " + spec.keyword() + " failed: \"" + raw + "\": not found in "
          + tree.describe());
    }
    for (String m : matches) {
      if (!m.isEmpty() && excludes.matches(m)) {
        continue;
      }
      String resolved = TreePaths.resolve(tree, m, true, where);
      SourceTree.Node n = tree.lstat(resolved);
      if (n == null) {
        throw new BuildException(where + ": " + spec.keyword() + " failed: \"" + m + "\" is a dangling symlink in "
            + tree.describe());
      }
      String rel = spec.parents() ? dropComponents(m, pivot) : null;
      if (rel != null) {
        parentsOf(tree, m, rel, context);
      }
      if (n.directory()) {
        copyDir(tree, resolved, rel != null ? TreePaths.join(destResolved, rel) : destResolved, context);
      } else if (spec.add() && context && !Boolean.FALSE.equals(spec.unpack()) && n.type() == LayerEntry.Type.REGULAR
          && Archives.isArchive(tree.content(resolved))) {
        Path dir = sources.unpacked(tree.content(resolved), m, where);
        // An unpacked archive keeps its own modes: BuildKit's unpack takes no --chmod (nor does buildah's).
        ChmodSpec given = chmod;
        chmod = null;
        try {
          copyDir(new DirTree(dir, PatternMatcher.none(), true, "archive " + m), "", destResolved, false);
        } finally {
          chmod = given;
        }
      } else {
        String target = rel != null ? TreePaths.join(destResolved, rel)
            : intoDir ? TreePaths.join(destResolved, TreePaths.baseName(m)) : destResolved;
        copyFile(tree, resolved, n, target, context);
      }
    }
  }

  private void urlSource(String url) throws BuildException, IOException {
    UrlFetcher.Download d = sources.download(url, where);
    if (spec.checksum() != null && !spec.checksum().equals(d.digest().toString())) {
      throw new BuildException(where + ": ADD failed: digest mismatch for " + UrlFetcher.redact(url) + ": expected "
          + spec.checksum() + ", got " + d.digest());
    }
    plan.facts.add("url " + UrlFetcher.redact(url) + " " + d.digest());
    if (Boolean.TRUE.equals(spec.unpack()) && Archives.isArchive(d.file())) {
      Path dir = sources.unpacked(d.file(), UrlFetcher.redact(url), where);
      copyDir(new DirTree(dir, PatternMatcher.none(), true, "archive " + UrlFetcher.redact(url)), "", destResolved,
          false);
      return;
    }
    String target = intoDir ? TreePaths.join(destResolved, d.name()) : destResolved;
    Instant mtime = d.lastModified() != null ? d.lastModified() : ctx.timestamp();
    newFile(target, d.file(), d.size(), 0600, mtime);
  }

  private void gitSource(String url) throws BuildException, IOException {
    GitFetcher.GitSource g = GitFetcher.parse(url);
    GitFetcher.Checkout c = sources.checkout(g, spec.keepGitDir(), where);
    if (spec.checksum() != null && !c.commit().startsWith(spec.checksum().replaceFirst("^sha1:", ""))) {
      throw new BuildException(where + ": ADD failed: " + UrlFetcher.redact(g.url()) + " is at commit " + c.commit()
          + ", not at the expected " + spec.checksum());
    }
    plan.facts.add("git " + UrlFetcher.redact(g.url()) + " " + c.commit() + " " + g.subdir() + " " + spec.keepGitDir());
    DirTree tree = new DirTree(c.dir(), PatternMatcher.none(), false, "git repository " + UrlFetcher.redact(g.url()));
    String sub = ImagePaths.join("/", g.subdir()).substring(1);
    String resolved = TreePaths.resolve(tree, sub, true, where);
    SourceTree.Node n = tree.lstat(resolved);
    if (n == null) {
      throw new BuildException(where + ": ADD failed: subdirectory \"" + g.subdir() + "\" not found in "
          + tree.describe());
    }
    if (n.directory()) {
      copyDir(tree, resolved, destResolved, false);
    } else {
      copyFile(tree, resolved, n, intoDir ? TreePaths.join(destResolved, TreePaths.baseName(resolved))
          : destResolved, false);
    }
  }

  private void heredoc(Heredoc h) throws BuildException, IOException {
    String content = h.content();
    if (h.expand()) {
      try {
        content = ctx.lex().withRawQuotes(true).withRawEscapes(true).processWord(content, env);
      } catch (DockerfileException e) {
        throw new BuildException(where + ": heredoc " + h.name() + ": " + e.getMessage(), e);
      }
    }
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    Path file = sources.scratchFile(bytes, where);
    // BuildKit makes the file in a scratch root first, so its name is cleaned inside that root: "../x" is "x".
    String name = ImagePaths.join("/", h.name()).substring(1);
    if (name.isEmpty()) {
      throw new BuildException(where + ": heredoc name \"" + h.name() + "\" names no file");
    }
    newFile(intoDir ? TreePaths.join(destResolved, name) : destResolved, file, bytes.length, 0644,
        ctx.timestamp());
    plan.facts.add("heredoc " + h.name());
  }

  /** A file made by the step itself (download, heredoc): owner from --chown or 0:0. */
  private void newFile(String target, Path content, long size, int mode, Instant mtime)
      throws BuildException, IOException {
    if (target.isEmpty()) {
      throw new BuildException(where + ": cannot copy a file onto /");
    }
    String path = place(target, false);
    ensureDirs(parent(path));
    long[] o = owner != null ? owner : new long[] {0, 0};
    int m = chmod != null ? chmod.apply(mode, false) : mode;
    plan.entries.put(path, LayerEntry.file(path, content, size, m, o[0], o[1], mtime));
    // A download or heredoc that takes the place of an earlier source is no longer that source's host file.
    plan.hostFiles.remove(path);
    plan.statCached.remove(path);
  }

  /** Copies the contents of directory {@code dir} of {@code tree} to {@code target}. */
  private void copyDir(SourceTree tree, String dir, String target, boolean context)
      throws BuildException, IOException {
    if (!target.isEmpty()) {
      String path = place(target, true);
      ensureDirs(parent(path));
      SourceTree.Node existing = image == null ? null : image.lstat(path);
      if (existing != null && !existing.directory()) {
        throw new BuildException(where + ": " + spec.keyword() + " failed: cannot copy a directory to /" + path
            + ", which is not a directory in the image");
      }
      if (existing == null) {
        // The destination of a directory's contents is made before the copy, with MkdirAll: 0755, owned per --chown
        // (BuildKit's prepareTargetDir; buildah agrees), never with the source directory's mode, which --chmod does
        // not touch either. A directory below it (--parents) is copied with its own mode, as BuildKit does.
        if (chmod != null || target.equals(destResolved)) {
          ensureDirs(path);
        } else {
          put(path, tree, dir, tree.lstat(dir), context);
        }
      }
      target = path;
    }
    walk(tree, dir, "", target, context);
  }

  private void walk(SourceTree tree, String dir, String rel, String target, boolean context)
      throws BuildException, IOException {
    for (String name : tree.list(TreePaths.join(dir, rel))) {
      String r = TreePaths.join(rel, name);
      SourceTree.Node n = tree.lstat(TreePaths.join(dir, r));
      if (n == null) {
        continue;
      }
      boolean excluded = !excludes.isEmpty() && excludes.matches(r);
      if (n.directory()) {
        if (excluded && !excludes.mayIncludeBelow(r)) {
          continue;
        }
        if (!excluded) {
          put(place(TreePaths.join(target, r), true), tree, TreePaths.join(dir, r), n, context);
        }
        walk(tree, dir, r, target, context);
      } else if (!excluded) {
        put(place(TreePaths.join(target, r), false), tree, TreePaths.join(dir, r), n, context);
      }
    }
  }

  private void copyFile(SourceTree tree, String src, SourceTree.Node n, String target, boolean context)
      throws BuildException, IOException {
    if (target.isEmpty()) {
      throw new BuildException(where + ": cannot copy a file onto /");
    }
    String path = place(target, false);
    ensureDirs(parent(path));
    put(path, tree, src, n, context);
  }

  /**
   * Where {@code target} really is in the image: its parents resolved through the image's symlinks, inside the
   * image (B17), and the last component too for a directory landing on a link to a directory. With --link the
   * image is not read, so paths stay as they are.
   */
  private String place(String target, boolean directory) throws BuildException, IOException {
    if (image == null || target.isEmpty()) {
      return target;
    }
    String parent = TreePaths.resolve(image, parent(target), true, where);
    String path = TreePaths.join(parent, TreePaths.baseName(target));
    if (directory) {
      SourceTree.Node n = image.lstat(path);
      if (n != null && n.symlink()) {
        String followed = TreePaths.resolve(image, path, true, where);
        SourceTree.Node f = image.lstat(followed);
        if (f != null && f.directory()) {
          return followed;
        }
      }
    }
    return path;
  }

  /** Directories of the destination the image lacks, owned like the copied files, as BuildKit's MkdirAll does. */
  private void ensureDirs(String dir) throws BuildException, IOException {
    String prefix = "";
    for (String part : dir.isEmpty() ? new String[0] : dir.split("/")) {
      prefix = TreePaths.join(prefix, part);
      LayerEntry planned = plan.entries.get(prefix);
      SourceTree.Node inImage = planned != null || image == null ? null : image.lstat(prefix);
      if (planned != null && planned.type() != LayerEntry.Type.DIRECTORY || inImage != null && !inImage.directory()) {
        // BuildKit's MkdirAll fails there too ("not a directory"): the image's file is never replaced silently.
        throw new BuildException(where + ": " + spec.keyword() + " failed: /" + prefix
            + " is not a directory, so nothing can be copied into it");
      }
      if (planned != null || inImage != null) {
        continue;
      }
      long[] o = owner != null ? owner : new long[] {0, 0};
      plan.entries.put(prefix, LayerEntry.directory(prefix, 0755, o[0], o[1], ctx.timestamp()));
    }
  }

  private void put(String path, SourceTree tree, String src, SourceTree.Node n, boolean context) throws IOException {
    if (path.isEmpty()) {
      return;
    }
    long uid = owner != null ? owner[0] : tree.keepsOwners() ? n.uid() : 0;
    long gid = owner != null ? owner[1] : tree.keepsOwners() ? n.gid() : 0;
    int mode = chmod != null && !n.symlink() ? chmod.apply(n.mode(), n.directory()) : n.mode();
    LayerEntry e;
    switch (n.type()) {
      case DIRECTORY -> e = LayerEntry.directory(path, mode, uid, gid, n.mtime());
      case SYMLINK -> e = LayerEntry.symlink(path, n.linkTarget(), uid, gid, n.mtime());
      case FIFO -> e = LayerEntry.fifo(path, mode, uid, gid, n.mtime());
      case REGULAR -> {
        Path content = tree.content(src);
        ContextHasher.FileStat st = n.hostStat() != null ? n.hostStat() : ContextHasher.lstat(content);
        e = LayerEntry.file(path, content, st.size(), mode, uid, gid, n.mtime());
        plan.hostFiles.put(path, st);
        ContextHasher statCache = context ? ctx.hasher() : tree.statCache();
        if (statCache != null) {
          plan.statCached.put(path, statCache);
        } else {
          plan.statCached.remove(path);
        }
      }
      default -> {
        return; // devices are not copied (there is no way to read their numbers here)
      }
    }
    if (e.type() != LayerEntry.Type.REGULAR) {
      plan.hostFiles.remove(path); // what an earlier source put here is replaced, with its host file
      plan.statCached.remove(path);
    }
    plan.entries.put(path, e);
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static boolean hasMeta(String path) {
    for (String part : path.split("/")) {
      if (GoGlob.hasMeta(part)) {
        return true;
      }
    }
    return false;
  }

  /** How many leading components {@code --parents} drops: those before a {@code /./} pivot. */
  private int pivotDepth(String raw) throws BuildException {
    int i = raw.indexOf("/./");
    if (i < 0) {
      return 0;
    }
    String before = BuildContext.clean(raw.substring(0, i), where);
    return before.isEmpty() ? 0 : before.split("/").length;
  }

  /**
   * With --parents, the directories between the destination and the copied path ({@code a} and {@code a/b} of
   * {@code a/b/f}) are made as BuildKit's createParentDirs makes them: each with its source directory's mode
   * (--chmod and --chown applied), not 0755. One the image or this step already has is left as it is, and a
   * source parent that is not a plain directory (a symlink) falls back to a 0755 one.
   */
  private void parentsOf(SourceTree tree, String matched, String rel, boolean context)
      throws BuildException, IOException {
    int slash = rel.lastIndexOf('/');
    if (slash < 0) {
      return;
    }
    String base = matched.substring(0, matched.length() - rel.length()); // "" or "x/y/" (the dropped part)
    String prefix = "";
    for (String part : rel.substring(0, slash).split("/")) {
      prefix = TreePaths.join(prefix, part);
      String path = TreePaths.join(destResolved, prefix);
      ensureDirs(parent(path));
      if (plan.entries.containsKey(path) || image != null && image.lstat(path) != null) {
        continue;
      }
      SourceTree.Node dir;
      try {
        dir = tree.lstat(base + prefix);
      } catch (IOException e) {
        dir = null; // a parent reached through a symlink: resolved elsewhere, so a plain 0755 one here
      }
      if (dir != null && dir.directory()) {
        put(path, tree, base + prefix, dir, context);
      } else {
        ensureDirs(path);
      }
    }
  }

  private static String dropComponents(String path, int n) {
    String p = path;
    for (int i = 0; i < n && !p.isEmpty(); i++) {
      int slash = p.indexOf('/');
      p = slash < 0 ? "" : p.substring(slash + 1);
    }
    return p;
  }
}

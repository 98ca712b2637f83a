package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.dockerfile.ir.Heredoc;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.dockerfile.ir.RunMount;
import dev.jbuild.oci.Digest;
import dev.jbuild.runtime.ContainerException;
import dev.jbuild.runtime.ImageUsers;
import dev.jbuild.runtime.Mount;
import dev.jbuild.runtime.MountedRootfs;
import dev.jbuild.runtime.PrivateDirs;
import dev.jbuild.runtime.Rootfs;
import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The mounts of {@code RUN --mount}: bind (from the context, a stage or an image; read-write binds write to a
 * throw-away overlay), cache (persistent dirs under {@code STORE/cache-mounts}, with BuildKit's sharing modes),
 * tmpfs, secret (a private copy outside the store, never in a layer, key or history) and ssh (the agent socket).
 * Every source path is resolved inside its own root, so {@code id}, {@code source} and symlinks cannot reach the
 * host (security cases B09 to B11).
 */
final class RunMounts {
  static final String CACHE_DIR = "cache-mounts";
  private static final Set<String> COMMON = Set.of("type", "target", "dst", "destination");
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "bind", Set.of("source", "src", "from", "rw", "readwrite", "ro", "readonly"),
      "cache", Set.of("id", "source", "src", "from", "rw", "readwrite", "ro", "readonly", "sharing", "mode", "uid",
          "gid"),
      "tmpfs", Set.of("size"),
      "secret", Set.of("id", "required", "mode", "uid", "gid", "env"),
      "ssh", Set.of("id", "required", "mode", "uid", "gid"));
  private static final long LOCK_POLL_MS = 50;

  private final StepContext ctx;
  private final BuildOptions options;
  private final StageLookup stages;
  private final CopySources sources;

  RunMounts(StepContext ctx, BuildOptions options, StageLookup stages, CopySources sources) {
    this.ctx = ctx;
    this.options = options;
    this.stages = stages;
    this.sources = sources;
  }

  /** What a RUN step's mounts describe for its cache key, without preparing anything (no secret values). */
  String keyMaterial(Run run, StageState state) throws BuildException {
    StringBuilder sb = new StringBuilder();
    for (RunMount m : run.mounts()) {
      validate(run, m);
      sb.append(m.type());
      new TreeMap<>(m.options()).forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
      if (m.type().equals("bind")) {
        CopySources.DirContext files = bindContext(run, m, state);
        if (files != null) {
          sb.append(",content=").append(contextDigest(run, m, files));
        } else {
          sb.append(",content=").append(StepCache.filesystemDigest(
              stages.stageOrImage(ctx.expand(m.options().get("from"), state.expansionEnv(), run), run)));
        }
      }
      sb.append(';');
    }
    if (!run.heredocs().isEmpty()) {
      for (Heredoc h : run.heredocs()) {
        sb.append("heredoc ").append(h.name()).append('=').append(h.content().length()).append(':')
            .append(h.content()).append(';');
      }
    }
    return sb.toString();
  }

  /** The mounts and extra environment of one run; {@link #close()} unmounts and deletes what they needed. */
  final class Prepared implements AutoCloseable {
    private final List<Mount> mounts = new ArrayList<>();
    private final List<String> env = new ArrayList<>();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    List<Mount> mounts() {
      return mounts;
    }

    List<String> env() {
      return env;
    }

    @Override
    public void close() throws BuildException {
      BuildException failure = null;
      for (int i = cleanup.size() - 1; i >= 0; i--) {
        try {
          cleanup.get(i).close();
        } catch (Exception e) {
          if (failure == null) {
            failure = new BuildException("cannot clean up after a RUN mount: " + e.getMessage(), e);
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      cleanup.clear();
      if (failure != null) {
        throw failure;
      }
    }
  }

  Prepared prepare(Run run, StageState state) throws BuildException {
    Prepared p = new Prepared();
    try {
      int ssh = 0;
      for (RunMount m : run.mounts()) {
        validate(run, m);
        String target = target(m);
        switch (m.type()) {
          case "bind" -> bind(run, m, target, state, p);
          case "cache" -> cache(run, m, target, state, p);
          case "tmpfs" -> p.mounts.add(Mount.tmpfs(need(run, target, "tmpfs"), size(run, m)));
          case "secret" -> secret(run, m, target, p);
          case "ssh" -> sshAgent(run, m, target, ssh++, p);
          default -> throw new BuildException(ctx.where(run) + ": unsupported mount type \"" + m.type() + "\"");
        }
      }
      if (!run.heredocs().isEmpty() && !run.command().execForm()) {
        List<String> cmd = RunInstruction.command(run, state.containerConfig());
        if (cmd.size() == 1) { // a heredoc script with a shebang, executed directly
          Heredoc doc = run.heredocs().get(0);
          Path dir = privateDir(p);
          Path script = dir.resolve("script");
          Files.writeString(script, doc.content(), StandardCharsets.UTF_8);
          Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("r-xr-xr-x"));
          p.mounts.add(Mount.bind(script.toString(), RunInstruction.heredocScript(doc), true));
        }
      }
      return p;
    } catch (IOException e) {
      p.close();
      throw new BuildException(ctx.where(run) + ": cannot prepare the mounts: " + e.getMessage(), e);
    } catch (BuildException | RuntimeException e) {
      try {
        p.close();
      } catch (BuildException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void validate(Run run, RunMount m) throws BuildException {
    Set<String> allowed = ALLOWED.get(m.type());
    if (allowed == null) {
      throw new BuildException(ctx.where(run) + ": unsupported mount type \"" + m.type() + "\"");
    }
    for (String k : m.options().keySet()) {
      if (!COMMON.contains(k) && !allowed.contains(k)) {
        throw new BuildException(ctx.where(run) + ": invalid mount option \"" + k + "\" for type=" + m.type());
      }
    }
  }

  private static String target(RunMount m) {
    for (String k : List.of("target", "dst", "destination")) {
      if (m.options().containsKey(k)) {
        return m.options().get(k);
      }
    }
    return null;
  }

  private String need(Run run, String target, String type) throws BuildException {
    if (target == null || target.isEmpty()) {
      throw new BuildException(ctx.where(run) + ": mount type=" + type + " needs a target");
    }
    return absolute(target);
  }

  private static String absolute(String target) {
    return target.startsWith("/") ? target : "/" + target;
  }

  private static String option(RunMount m, String... names) {
    for (String n : names) {
      if (m.options().containsKey(n)) {
        return m.options().get(n);
      }
    }
    return null;
  }

  private static boolean readWrite(RunMount m, boolean byDefault) {
    String rw = option(m, "rw", "readwrite");
    String ro = option(m, "ro", "readonly");
    if (rw != null) {
      return !rw.equalsIgnoreCase("false");
    }
    if (ro != null) {
      return ro.equalsIgnoreCase("false");
    }
    return byDefault;
  }

  private void bind(Run run, RunMount m, String target, StageState state, Prepared p) throws BuildException {
    String dst = need(run, target, "bind");
    String source = option(m, "source", "src");
    String from = m.options().get("from");
    boolean rw = readWrite(m, false);
    Path host;
    CopySources.DirContext dir = bindContext(run, m, state);
    try {
      if (dir != null) {
        Path resolved = source(run, m, dir);
        PatternMatcher ignore = dir.files().ignore();
        if (Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS)
            && ContextDigests.hidesAnything(dir.files().root(), resolved, ignore)) {
          // The mount shows the context as COPY does, without what its .dockerignore leaves out (as in BuildKit,
          // where those files are never sent): a copy of the directory without them, in hard links.
          Path view = sources.scratchDirectory(ctx.where(run));
          ContextDigests.mirror(dir.files().root(), resolved, ignore, view);
          resolved = view;
        }
        if (rw) {
          // Writes go to a throw-away overlay, never to the host: for a single file, an overlay of its directory.
          boolean directory = Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS);
          MountedRootfs overlay = Rootfs.of(ctx.store()).overlayOf(directory ? resolved : resolved.getParent());
          p.cleanup.add(overlay);
          host = directory ? overlay.merged() : overlay.merged().resolve(resolved.getFileName().toString());
        } else {
          host = resolved;
        }
      } else {
        StageState src = stages.stageOrImage(ctx.expand(from, state.expansionEnv(), run), run);
        MountedRootfs overlay = Rootfs.of(ctx.store()).mount(src.layers(), src.config().diffIds(), from);
        p.cleanup.add(overlay);
        host = inRoot(run, overlay.merged(), source == null ? "/" : source, "mount source");
      }
    } catch (ContainerException e) {
      throw new BuildException(ctx.where(run) + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BuildException(ctx.where(run) + ": cannot prepare the mount source \"" + source + "\": "
          + e.getMessage(), e);
    }
    p.mounts.add(Mount.bind(host.toString(), dst, !rw));
  }

  private Path inRoot(Run run, Path root, String rel, String what) throws BuildException {
    try {
      Optional<Path> p = ImageUsers.resolveInRoot(root, rel);
      if (p.isEmpty()) {
        throw new BuildException(ctx.where(run) + ": " + what + " \"" + rel + "\" not found");
      }
      return p.get();
    } catch (IOException e) {
      throw new BuildException(ctx.where(run) + ": " + what + " \"" + rel + "\": " + e.getMessage(), e);
    }
  }

  private void cache(Run run, RunMount m, String target, StageState state, Prepared p)
      throws BuildException, IOException {
    String dst = need(run, target, "cache");
    if (m.options().containsKey("from")) {
      throw new BuildException(ctx.where(run) + ": RUN --mount=type=cache,from=... is not supported by jbuild; "
          + "seed the cache from a RUN step instead");
    }
    String id = m.options().getOrDefault("id", dst);
    String sharing = m.options().getOrDefault("sharing", "shared");
    if (!Set.of("shared", "private", "locked").contains(sharing)) {
      throw new BuildException(ctx.where(run) + ": invalid sharing \"" + sharing
          + "\" (expected shared, private or locked)");
    }
    int mode = parseInt(run, m, "mode", 8, 0755);
    long uid = parseInt(run, m, "uid", 10, 0);
    long gid = parseInt(run, m, "gid", 10, 0);
    // The id only names a directory through its hash, so "../../etc" is just another name (B09).
    String hex = Digest.sha256Of(id.getBytes(StandardCharsets.UTF_8)).hex();
    Path base = ctx.store().root().resolve(CACHE_DIR).resolve(hex);
    Files.createDirectories(base);
    Path lockFile = base.resolve("lock");
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    p.cleanup.add(channel);
    Path data = base.resolve("data");
    if (sharing.equals("private")) {
      FileLock lock = tryLock(channel, false);
      if (lock == null) {
        // In use by another build: this one gets a fresh directory of its own, dropped afterwards.
        Path own = base.resolve("private-" + UUID.randomUUID());
        create(own, mode, uid, gid);
        p.cleanup.add(() -> LayerApplier.deleteTree(own));
        data = own;
      } else {
        p.cleanup.add(lock);
      }
    } else {
      p.cleanup.add(lock(run, channel, sharing.equals("shared")));
    }
    if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
      Path tmp = base.resolve("tmp-" + UUID.randomUUID());
      create(tmp, mode, uid, gid);
      try {
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        LayerApplier.deleteTree(tmp); // another build made it first (K11)
        if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
          throw e;
        }
      }
    }
    Path host = data;
    String source = option(m, "source", "src");
    if (source != null) {
      host = inRoot(run, data, source, "cache mount source"); // B10: a symlink in the cache stays inside it
      if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
        throw new BuildException(ctx.where(run) + ": cache mount source \"" + source + "\" is not a directory");
      }
    }
    p.mounts.add(Mount.bind(host.toString(), dst, !readWrite(m, true)));
  }

  private static void create(Path dir, int mode, long uid, long gid) throws IOException {
    Files.createDirectory(dir);
    Files.setAttribute(dir, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    if (uid != 0 || gid != 0) {
      Files.setAttribute(dir, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(dir, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * A shared user locks one byte at a random offset, an exclusive user the whole file. Across processes that is
   * the same as whole-file locks; within the JVM it lets shared users hold their locks at once, where two shared
   * locks over the same range would throw OverlappingFileLockException and make the second wait (K10).
   */
  private static FileLock tryLock(FileChannel channel, boolean shared) throws IOException {
    try {
      if (shared) {
        long at = 1 + java.util.concurrent.ThreadLocalRandom.current().nextLong(Long.MAX_VALUE - 2);
        return channel.tryLock(at, 1, true);
      }
      return channel.tryLock(0, Long.MAX_VALUE, false);
    } catch (OverlappingFileLockException e) {
      return null; // held by another build in this JVM
    }
  }

  /** Waits for the lock; an interrupt (a cancelled build) ends the wait. */
  private FileLock lock(Run run, FileChannel channel, boolean shared) throws BuildException, IOException {
    while (true) {
      FileLock lock = tryLock(channel, shared);
      if (lock != null) {
        return lock;
      }
      try {
        Thread.sleep(LOCK_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BuildException(ctx.where(run) + ": interrupted while waiting for a cache mount lock", e);
      }
    }
  }

  private void secret(Run run, RunMount m, String target, Prepared p) throws BuildException, IOException {
    String id = m.options().get("id");
    if (id == null) {
      if (target == null) {
        throw new BuildException(ctx.where(run) + ": mount type=secret needs an id or a target");
      }
      id = Path.of(target).getFileName().toString();
    }
    String envName = m.options().get("env");
    boolean required = Boolean.parseBoolean(m.options().getOrDefault("required", "false"));
    BuildOptions.Secret secret = options.secrets().get(id);
    if (secret == null) {
      if (required) {
        throw new BuildException(ctx.where(run) + ": secret " + id + " is required but was not given "
            + "(jbuild build --secret id=" + id + ",src=FILE or env=VAR)");
      }
      return;
    }
    byte[] value = secret.value() != null ? secret.value() : Files.readAllBytes(secret.file());
    if (envName != null) {
      p.env.add(envName + "=" + new String(value, StandardCharsets.UTF_8));
      if (target == null) {
        return;
      }
    }
    String dst = target == null ? "/run/secrets/" + id : absolute(target);
    Path dir = privateDir(p);
    Path file = dir.resolve("secret");
    Files.write(file, value, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Files.setAttribute(file, "unix:mode", parseInt(run, m, "mode", 8, 0400), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(file, "unix:uid", (int) parseInt(run, m, "uid", 10, 0), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(file, "unix:gid", (int) parseInt(run, m, "gid", 10, 0), LinkOption.NOFOLLOW_LINKS);
    p.mounts.add(Mount.bind(file.toString(), dst, true));
  }

  private void sshAgent(Run run, RunMount m, String target, int n, Prepared p) throws BuildException {
    String id = m.options().getOrDefault("id", "default");
    boolean required = Boolean.parseBoolean(m.options().getOrDefault("required", "false"));
    Path socket = options.sshSockets().get(id);
    if (socket == null) {
      if (required) {
        throw new BuildException(ctx.where(run) + ": ssh agent " + id + " is required but was not given "
            + "(jbuild build --ssh " + id + ")");
      }
      return;
    }
    String dst = target == null ? "/run/buildkit/ssh_agent." + n : absolute(target);
    p.mounts.add(Mount.bind(socket.toString(), dst, false));
    p.env.add("SSH_AUTH_SOCK=" + dst);
  }

  /** A 0700 directory in memory when possible ({@code /dev/shm}), never under the store; removed after the run. */
  private static Path privateDir(Prepared p) throws IOException {
    Path dir = PrivateDirs.create("jbuild-run-");
    p.cleanup.add(() -> PrivateDirs.delete(dir));
    return dir;
  }

  private long size(Run run, RunMount m) throws BuildException {
    String s = m.options().get("size");
    if (s == null) {
      return 0;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new BuildException(ctx.where(run) + ": invalid tmpfs size \"" + s + "\" (a number of bytes)");
    }
  }

  private int parseInt(Run run, RunMount m, String key, int radix, int dflt) throws BuildException {
    String v = m.options().get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v, radix);
    } catch (NumberFormatException e) {
      throw new BuildException(ctx.where(run) + ": invalid " + key + " \"" + v + "\" in --mount=type="
          + m.type());
    }
  }

  /**
   * The files a bind mount reads when they come from a directory: the build context (no {@code from}), or a named
   * context that is a directory ({@code --build-context NAME=DIR}, {@code from=NAME}); null when {@code from} names a
   * stage or an image. A named context is opened once per build, and resolved inside its root like the context.
   */
  private CopySources.DirContext bindContext(Run run, RunMount m, StageState state) throws BuildException {
    String from = m.options().get("from");
    if (from == null) {
      return new CopySources.DirContext(ctx.context(), ctx.hasher(), false); // the build saves its stat cache
    }
    return sources.namedDirectory(ctx.expand(from, state.expansionEnv(), run), ctx.where(run)).orElse(null);
  }

  /** The bind mount's source inside {@code dir}, resolved in its root (B03), which must exist. */
  private Path source(Run run, RunMount m, CopySources.DirContext dir) throws BuildException {
    String source = option(m, "source", "src");
    Path resolved = dir.files().resolveInRoot(source == null ? "" : source, ctx.where(run));
    if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS) || ContextDigests.ignored(dir.files().root(), resolved,
        Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS), dir.files().ignore())) {
      String from = m.options().get("from");
      throw new BuildException(ctx.where(run) + ": mount source \"" + source + "\" not found in the "
          + (from == null ? "context" : "build context " + from));
    }
    return resolved;
  }

  private String contextDigest(Run run, RunMount m, CopySources.DirContext dir) throws BuildException {
    String source = option(m, "source", "src");
    Path root = source(run, m, dir);
    try {
      Digest d = ContextDigests.tree(dir.hasher(), dir.files().root(), root, dir.files().ignore());
      return d.toString();
    } catch (IOException e) {
      throw new BuildException(ctx.where(run) + ": cannot hash mount source \"" + source + "\": " + e.getMessage(),
          e);
    }
  }
}

package dev.jbuild.builder.internal;

import dev.jbuild.builder.BaseImagePuller;
import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.layers.LayerTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the COPY and ADD steps of one build share: earlier stages and images to copy from, downloads, git checkouts
 * and unpacked archives (each fetched once, whether first for the cache key or for the layer)
 * and a scratch directory under the store's {@code tmp/} that {@link #close()} removes.
 */
final class CopySources implements AutoCloseable {
  /** Cap on one download or one unpacked archive, as on a layer. */
  static final long MAX_BYTES = ApplyOptions.DEFAULT_MAX_BYTES;

  private final Store store;
  private final BaseImagePuller puller;
  private final StageLookup stages;
  private final Platform platform;
  private final BuildListener listener;
  private final UrlFetcher urls;
  private final GitFetcher git;
  private final Map<String, StageState> images = new HashMap<>();
  private final Map<StageState, Map<Integer, StageTree>> trees = new IdentityHashMap<>();
  private final Map<String, UrlFetcher.Download> downloads = new HashMap<>();
  private final Map<String, GitFetcher.Checkout> checkouts = new HashMap<>();
  private final Map<String, Path> remotes = new HashMap<>();
  private final Map<Path, Path> unpacked = new HashMap<>();
  private final Map<Path, DirContext> namedDirectories = new HashMap<>();
  private Path scratch;

  /**
   * A directory of files steps read (a directory named context, local or fetched into the scratch directory, or the
   * build context itself), with the stat cache its files are hashed through for cache keys, so an unchanged file is
   * not read again at every build. {@code savesStats}: whether this class saves that stat cache when the build ends
   * (a local named directory's; the build saves the context's own, and a fetched one's path never recurs).
   */
  record DirContext(BuildContext files, ContextHasher hasher, boolean savesStats) {}

  CopySources(Store store, BaseImagePuller puller, StageLookup stages, Platform platform, BuildListener listener) {
    this(store, puller, stages, platform, listener, GitFetcher.hostGit());
  }

  CopySources(Store store, BaseImagePuller puller, StageLookup stages, Platform platform, BuildListener listener,
      Path gitExecutable) {
    this.store = store;
    this.puller = puller;
    this.stages = stages;
    this.platform = platform;
    this.listener = listener;
    this.urls = new UrlFetcher(MAX_BYTES);
    this.git = new GitFetcher(gitExecutable);
  }

  Store store() {
    return store;
  }

  void warn(String message) {
    listener.onEvent(new BuildEvent.Log(BuildEvent.Level.WARN, message));
  }

  /** An earlier stage by name or index, else the image {@code from} (local store first, then pulled). */
  synchronized SourceTree from(String from, String where) throws BuildException {
    Optional<DirContext> dir = namedDirectory(from, where);
    if (dir.isPresent()) {
      try {
        return new DirTree(dir.get().files().root(), dir.get().files().ignore(), false, "build context " + from,
            dir.get().hasher());
      } catch (IOException e) {
        throw new BuildException(where + ": build context " + from + ": " + e.getMessage(), e);
      }
    }
    Optional<StageState> stage;
    try {
      stage = stages.stage(from);
    } catch (BuildException e) {
      throw new BuildException(where + ": " + e.getMessage(), e);
    }
    if (stage.isPresent()) {
      return tree(stage.get(), "stage " + from);
    }
    String reference = stages.imageReference(from);
    StageState image = images.get(reference);
    if (image == null) {
      image = image(reference, where);
      images.put(reference, image);
    }
    return tree(image, "image " + reference);
  }

  private StageState image(String from, String where) throws BuildException {
    ImageReference ref;
    try {
      ref = ImageReference.parse(from);
    } catch (InvalidReferenceException e) {
      throw new BuildException(where + ": --from=" + from + " is neither an earlier stage nor a valid image reference: "
          + e.getMessage(), e);
    }
    try {
      Optional<Descriptor> local = store.images().resolve(ref.familiar());
      Descriptor descriptor = local.isPresent() ? local.get() : puller.pull(ref, platform);
      StoredImages.StoredImage img = StoredImages.read(store.blobs(), descriptor, platform, ref.familiar());
      return new StageState("image " + ref.familiar(), img.config(), img.manifest().layers());
    } catch (StoreException | OciException e) {
      throw new BuildException(where + ": --from image " + ref.familiar() + ": " + e.getMessage(), e);
    } catch (BuildException e) {
      throw new BuildException(where + ": --from=" + from + ": " + e.getMessage(), e);
    }
  }

  /** The filesystem of {@code state} as it is now (a later layer gives a new view). */
  synchronized StageTree tree(StageState state, String description) throws BuildException {
    List<Descriptor> layers = state.layers();
    Map<Integer, StageTree> byDepth = trees.computeIfAbsent(state, s -> new HashMap<>());
    StageTree t = byDepth.get(layers.size());
    if (t == null) {
      try {
        t = new StageTree(state.files(store), layers, state.config().diffIds(), LayerTrees.of(store),
            description);
      } catch (IOException | StoreException e) {
        throw new BuildException("cannot read the layers of " + description + ": " + e.getMessage(), e);
      }
      byDepth.clear();
      byDepth.put(layers.size(), t);
    }
    return t;
  }

  synchronized UrlFetcher.Download download(String url, String where) throws BuildException {
    UrlFetcher.Download d = downloads.get(url);
    if (d == null) {
      d = urls.fetch(url, newScratchDir(where), where);
      downloads.put(url, d);
    }
    return d;
  }

  synchronized GitFetcher.Checkout checkout(GitFetcher.GitSource source, boolean keepGitDir, String where) throws BuildException {
    String key = source.url() + "#" + source.ref() + "#" + keepGitDir;
    GitFetcher.Checkout c = checkouts.get(key);
    if (c == null) {
      c = git.fetch(source, newScratchDir(where), keepGitDir, where);
      checkouts.put(key, c);
    }
    return c;
  }

  /**
   * A named context that is remote, fetched into a scratch directory once per build: a git repository (its
   * {@code #ref:subdir} fragment as for ADD, without .git), or a tar archive over HTTP(S), unpacked with the same
   * safe applier as layers. {@code where} names the context in errors.
   */
  synchronized Path remoteContext(String url, String where) throws BuildException {
    Path dir = remotes.get(url);
    if (dir != null) {
      return dir;
    }
    if (GitFetcher.isGitUrl(url)) {
      GitFetcher.GitSource g = GitFetcher.parse(url);
      Path checkout = checkout(g, false, where).dir();
      dir = g.subdir().isEmpty() ? checkout : new BuildContext(checkout).resolveInRoot(g.subdir(), where);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new BuildException(where + ": subdirectory \"" + g.subdir() + "\" not found in the repository");
      }
    } else {
      UrlFetcher.Download d = urls.fetch(url, newScratchDir(where), where);
      try {
        if (!Archives.isArchive(d.file())) {
          throw new BuildException(where + ": not a tar archive (a named context over HTTP is a tarball, plain or "
              + "compressed)");
        }
      } catch (IOException e) {
        throw new BuildException(where + ": cannot read the download: " + e.getMessage(), e);
      }
      dir = unpacked(d.file(), "the tarball", where);
    }
    remotes.put(url, dir);
    return dir;
  }

  /**
   * The directory named context {@code name} (fetched first when it is remote), opened once per build for COPY,
   * ADD and RUN --mount alike; empty when {@code name} is not a directory context.
   */
  synchronized Optional<DirContext> namedDirectory(String name, String where) throws BuildException {
    Optional<Path> dir = stages.directory(name);
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    DirContext known = namedDirectories.get(dir.get());
    if (known == null) {
      try {
        boolean fetched = dir.get().toRealPath().startsWith(store.root().toRealPath().resolve("tmp"));
        // A local directory's own .dockerignore applies to it, as in BuildKit; a fetched one's does not.
        BuildContext files = fetched ? new BuildContext(dir.get()) : BuildContext.openNamed(dir.get());
        known = new DirContext(files, ContextHasher.open(store, files.root()), !fetched);
      } catch (BuildException | IOException | StoreException e) {
        throw new BuildException(where + ": build context " + name + ": " + e.getMessage(), e);
      }
      namedDirectories.put(dir.get(), known);
    }
    return Optional.of(known);
  }

  /** {@code archive} unpacked into a scratch directory, once per build. */
  synchronized Path unpacked(Path archive, String what, String where) throws BuildException {
    Path dir = unpacked.get(archive);
    if (dir == null) {
      dir = newScratchDir(where);
      try {
        Archives.unpack(archive, dir, ApplyOptions.defaults().withMaxBytes(MAX_BYTES)
            .withWarnings(w -> warn(where + ": " + what + ": " + w)));
      } catch (IOException e) {
        throw new BuildException(where + ": cannot unpack " + what + ": " + e.getMessage(), e);
      }
      unpacked.put(archive, dir);
    }
    return dir;
  }

  /** A new empty directory in the build's scratch directory, removed when the build ends. */
  synchronized Path scratchDirectory(String where) throws BuildException {
    return newScratchDir(where);
  }

  /** A file in the scratch directory for generated content (heredocs). */
  synchronized Path scratchFile(byte[] content, String where) throws BuildException {
    Path dir = newScratchDir(where);
    try {
      return Files.write(dir.resolve("content"), content);
    } catch (IOException e) {
      throw new BuildException(where + ": cannot write to " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path newScratchDir(String where) throws BuildException {
    try {
      if (scratch == null) {
        scratch = Files.createDirectories(store.root().resolve("tmp").resolve("build-" + UUID.randomUUID()));
      }
      return Files.createDirectory(scratch.resolve(UUID.randomUUID().toString()));
    } catch (IOException e) {
      throw new BuildException(where + ": cannot create a scratch directory under " + store.root().resolve("tmp")
          + ": " + e.getMessage(), e);
    }
  }

  /** Removes the scratch directory; a problem becomes a warning. */
  @Override
  public synchronized void close() {
    for (DirContext d : namedDirectories.values()) {
      if (d.savesStats()) {
        try {
          d.hasher().save();
        } catch (StoreException e) {
          warn("cannot save the stat cache of " + d.files().root() + " (the next build reads its files again): "
              + e.getMessage());
        }
      }
    }
    namedDirectories.clear();
    if (scratch != null) {
      try {
        LayerApplier.deleteTree(scratch);
      } catch (IOException e) {
        warn("cannot remove the scratch directory " + scratch + ": " + e.getMessage());
      }
      scratch = null;
    }
  }
}

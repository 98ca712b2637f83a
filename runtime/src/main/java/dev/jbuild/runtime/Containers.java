package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages.StoredImage;
import dev.jbuild.store.layers.LayerTrees;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Runs one command in a container made from a stored image: overlay rootfs, OCI bundle, runc, cleanup. */
public final class Containers {
  private Containers() {}

  /** Reads what a run changed while the upper dir still exists (e.g. writes it as a layer tar). */
  @FunctionalInterface
  public interface ChangesReader {
    /**
     * Reads {@code changes}. Returns the layer written from exactly those entries, so the upper dir becomes that
     * layer's extracted tree ({@link LayerTrees#adopt}) instead of being deleted; null when none was written.
     */
    WrittenLayer read(List<LayerEntry> changes) throws IOException;
  }

  /**
   * A layer tar written from a run's changes ({@link dev.jbuild.store.tar.LayerTarWriter#write}).
   *
   * @param diffId its digest
   * @param sourceDateEpoch the epoch its mtimes were clamped to, or null
   */
  public record WrittenLayer(Digest diffId, Instant sourceDateEpoch) {
    public WrittenLayer {
      Objects.requireNonNull(diffId, "diffId");
    }
  }

  /**
   * Runs {@code spec} in a container made from {@code image} (called {@code name} in errors). The image's
   * environment comes first and {@code spec.env()} overrides it key by key. With {@code changes} true the result
   * lists what the container changed.
   */
  public static RunResult run(Store store, Descriptor image, String name, ContainerSpec spec, InputStream stdin,
      OutputStream stdout, OutputStream stderr, boolean changes) throws ContainerException {
    return run(store, image, name, spec, stdin, stdout, stderr, changes ? c -> null : null);
  }

  /**
   * As {@link #run(Store, Descriptor, String, ContainerSpec, InputStream, OutputStream, OutputStream, boolean)},
   * handing the changes to {@code onChanges} (when not null) before the upper dir is removed.
   */
  public static RunResult run(Store store, Descriptor image, String name, ContainerSpec spec, InputStream stdin,
      OutputStream stdout, OutputStream stderr, ChangesReader onChanges) throws ContainerException {
    Rootfs rootfs = Rootfs.of(store);
    StoredImage stored = rootfs.read(image, name);
    ContainerSpec effective = spec.withEnv(mergeEnv(stored.config().config(), spec.env()));
    return run(store, stored.manifest().layers(), stored.config().diffIds(), name, effective, stdin, stdout, stderr,
        onChanges);
  }

  /**
   * Runs {@code spec} exactly as given (no environment from an image) on a root filesystem made of {@code layers}
   * (bottom first) with their {@code diffIds}; {@code name} names the root filesystem in errors. This is what a RUN
   * step uses: the stage being built has layers but no stored image yet.
   */
  public static RunResult run(Store store, List<Descriptor> layers, List<Digest> diffIds, String name,
      ContainerSpec spec, InputStream stdin, OutputStream stdout, OutputStream stderr, ChangesReader onChanges)
      throws ContainerException {
    return run(store, layers, diffIds, name, root -> spec, stdin, stdout, stderr, onChanges);
  }

  /** Makes the spec once the root filesystem is mounted, e.g. to resolve a user name through its /etc/passwd. */
  @FunctionalInterface
  public interface SpecMaker {
    ContainerSpec make(Path root) throws ContainerException;
  }

  /** As above, with the spec made by {@code specMaker} from the mounted root filesystem. */
  public static RunResult run(Store store, List<Descriptor> layers, List<Digest> diffIds, String name,
      SpecMaker specMaker, InputStream stdin, OutputStream stdout, OutputStream stderr, ChangesReader onChanges)
      throws ContainerException {
    return run(store, layers, diffIds, name, specMaker, stdin, stdout, stderr, onChanges, null);
  }

  /**
   * As above, run by the OCI runtime {@code ociRuntime} names ({@code runc}, {@code crun}, {@code auto} or a path:
   * see {@link Runc#forSteps}; null for runc).
   */
  @SuppressWarnings("try")
  public static RunResult run(Store store, List<Descriptor> layers, List<Digest> diffIds, String name,
      SpecMaker specMaker, InputStream stdin, OutputStream stdout, OutputStream stderr, ChangesReader onChanges,
      String ociRuntime) throws ContainerException {
    UserNamespace.requireRoot("running a container");
    Rootfs rootfs = Rootfs.of(store);
    Runc runc = Runc.forSteps(store.root(), ociRuntime, CgroupLayout::detect);
    try (MountedRootfs fs = rootfs.mount(layers, diffIds, name)) {
      ContainerSpec spec = specMaker.make(fs.merged());
      Set<String> created = missingMountPoints(fs.merged(), OciBundle.config(spec));
      Map<String, String> parents = ownerAndMode(fs.merged(), created);
      int code = runInPrivateBundle(runc, spec, fs, stdin, stdout, stderr);
      List<LayerEntry> found = List.of();
      WrittenLayer written = null;
      if (onChanges != null) {
        try {
          found = withoutEmptyMountPoints(LayerTarWriter.fromOverlayUpperdir(fs.upper()), created, parents);
          written = onChanges.read(found);
        } catch (IOException e) {
          throw new ContainerException("cannot read the changes in " + fs.upper() + ": " + e.getMessage(), e);
        }
      }
      if (written != null) {
        fs.unmount();
        adoptUpper(store, fs.upper(), found, written);
      }
      return new RunResult(code, found);
    }
  }

  /**
   * Runs {@code spec} with its bundle (config.json, which holds the environment) in a private directory in memory,
   * not in the store: a RUN step's environment may carry a secret ({@code --mount=type=secret,env=NAME}), and the
   * store's files are on disk and outlive the build. The bundle is deleted as soon as runc returns.
   */
  private static int runInPrivateBundle(Runc runc, ContainerSpec spec, MountedRootfs fs, InputStream stdin,
      OutputStream stdout, OutputStream stderr) throws ContainerException {
    Path dir;
    OciBundle bundle;
    try {
      dir = PrivateDirs.create("jbuild-bundle-");
    } catch (IOException e) {
      throw new ContainerException("cannot make a private directory for the OCI bundle: " + e.getMessage(), e);
    }
    try {
      try {
        bundle = OciBundle.write(dir, spec, fs.merged().toAbsolutePath());
      } catch (IOException e) {
        throw new ContainerException("cannot write the OCI bundle in " + dir + ": " + e.getMessage(), e);
      }
      return runc.run(bundle.dir(), "jbuild-" + fs.id(), stdin, stdout, stderr);
    } finally {
      PrivateDirs.delete(dir);
    }
  }

  /**
   * Keeps the (unmounted) upper dir as the extracted tree of the layer written from it, so the next step's overlay
   * needs no extraction. Best effort: when it cannot be made to match the layer, or the tree exists already, the
   * dir is deleted with the rest and the layer is extracted from its blob when first needed.
   */
  private static void adoptUpper(Store store, Path upper, List<LayerEntry> layer, WrittenLayer written) {
    try {
      if (UpperAsTree.conform(upper, layer, written.sourceDateEpoch())) {
        LayerTrees.of(store).adopt(upper, written.diffId());
      }
    } catch (IOException | StoreException e) {
      // Nothing is lost: the layer blob is stored, and its tree is made from it on first use.
    }
  }

  /**
   * The mount destinations (relative, e.g. {@code proc}, {@code etc/hosts}) missing from the image: runc creates
   * them in the upper dir. Only plain paths are considered; one under a symlink is left alone (and stays a change).
   */
  static Set<String> missingMountPoints(Path root, JsonNode config) {
    Set<String> missing = new HashSet<>();
    for (JsonNode m : config.path("mounts")) {
      String rel = m.path("destination").asText().replaceFirst("^/+", "");
      if (rel.isEmpty()) {
        continue;
      }
      Path p = root;
      String prefix = "";
      boolean absent = false;
      for (String part : rel.split("/")) {
        if (part.isEmpty()) {
          continue;
        }
        if (!absent && Files.isSymbolicLink(p)) {
          break; // under a symlink runc resolves elsewhere: leave it alone (it stays a change)
        }
        p = p.resolve(part);
        prefix = prefix.isEmpty() ? part : prefix + "/" + part;
        if (absent || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          absent = true; // runc creates this one and everything below it
          missing.add(prefix);
        }
      }
    }
    return missing;
  }

  /**
   * {@code changes} without the mount points (and their parents) runc created that stayed empty (DESIGN §3), so a
   * RUN step's layer holds only what the command did.
   */
  static List<LayerEntry> withoutEmptyMountPoints(List<LayerEntry> changes, Set<String> created,
      Map<String, String> parents) {
    // The paths still in the layer, sorted, so "is anything left under DIR" is one lookup: a RUN that wrote 100,000
    // files made the scan per mount point a visible part of the step.
    java.util.TreeSet<String> live = new java.util.TreeSet<>();
    Map<String, LayerEntry> byPath = new HashMap<>();
    for (LayerEntry e : changes) {
      live.add(e.path());
      byPath.putIfAbsent(e.path(), e);
    }
    Set<String> dropped = new HashSet<>();
    // Deepest first, so a created dir whose only children were created stubs goes too.
    List<String> order = new ArrayList<>(created);
    order.sort((a, b) -> Long.compare(depth(b), depth(a)));
    for (String path : order) {
      LayerEntry e = byPath.get(path);
      if (e != null && isEmpty(e, live)) {
        live.remove(path);
        dropped.add(path);
      }
    }
    // A parent dir is copied up only because runc created a mount point in it: drop it when nothing else is under
    // it and its owner and mode are as in the image (its mtime changed, but that alone is not the command's doing).
    Set<String> unchangedParents = new HashSet<>();
    parents.forEach((path, before) -> {
      LayerEntry e = byPath.get(path);
      if (e != null && live.contains(path) && e.type() == LayerEntry.Type.DIRECTORY && isEmpty(e, live)
          && e.xattrs().isEmpty() && before.equals(e.uid() + ":" + e.gid() + ":" + Integer.toOctalString(e.mode()))) {
        unchangedParents.add(path);
      }
    });
    List<LayerEntry> out = new ArrayList<>(changes.size());
    for (LayerEntry e : changes) {
      if (!dropped.contains(e.path()) && !unchangedParents.contains(e.path())) {
        out.add(e);
      }
    }
    return out;
  }

  /** uid:gid:mode (octal) of the existing parent dirs of {@code created}, read before the container runs. */
  static Map<String, String> ownerAndMode(Path root, Set<String> created) throws ContainerException {
    Map<String, String> out = new HashMap<>();
    for (String rel : created) {
      int slash = rel.lastIndexOf('/');
      while (slash > 0) {
        String parent = rel.substring(0, slash);
        Path p = root.resolve(parent);
        try {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            out.put(parent, a.get("uid") + ":" + a.get("gid") + ":"
                + Integer.toOctalString(((Integer) a.get("mode")) & 07777));
          }
        } catch (IOException | UnsupportedOperationException e) {
          throw new ContainerException("cannot read " + p + ": " + e.getMessage(), e);
        }
        slash = parent.lastIndexOf('/');
      }
    }
    return out;
  }

  private static long depth(String path) {
    return path.chars().filter(c -> c == '/').count();
  }

  private static boolean isEmpty(LayerEntry e, java.util.NavigableSet<String> live) {
    if (e.type() == LayerEntry.Type.REGULAR) {
      return e.size() == 0;
    }
    if (e.type() == LayerEntry.Type.DIRECTORY) {
      String prefix = e.path() + "/";
      String next = live.ceiling(prefix); // in String order everything under prefix follows it at once
      return next == null || !next.startsWith(prefix);
    }
    return false;
  }

  /** The image's env overridden key by key by {@code overrides}, in first-seen key order. */
  static List<String> mergeEnv(ContainerConfig image, List<String> overrides) {
    Map<String, String> env = new LinkedHashMap<>();
    if (image != null && image.env() != null) {
      for (String e : image.env()) {
        int eq = e.indexOf('=');
        if (eq > 0) {
          env.put(e.substring(0, eq), e);
        }
      }
    }
    for (String e : overrides) {
      env.put(e.substring(0, e.indexOf('=')), e);
    }
    return new ArrayList<>(env.values());
  }
}

package dev.jbuild.runtime;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.StoredImages.StoredImage;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.layers.LayerTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Makes a container's root filesystem: an overlay whose lower dirs are the image's extracted layer trees (each
 * extracted once per store by {@link LayerTrees}, with overlay whiteouts) and whose upper dir starts empty.
 *
 * <p>Work dirs live under {@code STORE/containers/ID/} (not under {@code tmp/}, whose sweeper could remove them
 * from under a long run). The overlay is mounted with the host's {@code /usr/bin/mount}.
 */
public final class Rootfs {
  private final Store store;
  private final Path mount;
  private final Path umount;

  private Rootfs(Store store, Path mount, Path umount) {
    this.store = store;
    this.mount = mount;
    this.umount = umount;
  }

  /** A rootfs maker for {@code store}; fails when the host's mount or umount is missing. */
  public static Rootfs of(Store store) throws ContainerException {
    Objects.requireNonNull(store, "store");
    return new Rootfs(store, HostTools.locate("mount", "/usr/bin/mount", "/bin/mount"),
        HostTools.locate("umount", "/usr/bin/umount", "/bin/umount"));
  }

  /** Reads image {@code image} (called {@code name} in errors) for the host platform from the store. */
  public StoredImage read(Descriptor image, String name) throws ContainerException {
    try {
      return StoredImages.read(store.blobs(), image, Platform.host(), name);
    } catch (StoreException | OciException e) {
      throw new ContainerException("cannot read image " + name + " (" + image.digest() + "): " + e.getMessage(), e);
    }
  }

  /**
   * Extracts the layers of {@code image} that are not extracted yet and mounts the overlay at
   * {@code STORE/containers/ID/rootfs}. The caller closes the result.
   */
  public MountedRootfs mount(StoredImage image, String name) throws ContainerException {
    return mount(image.manifest().layers(), image.config().diffIds(), name);
  }

  /**
   * As {@link #mount(StoredImage, String)} for a root filesystem given as its layers (bottom first) and their
   * diffIDs, e.g. a build stage that has no manifest yet.
   */
  public MountedRootfs mount(List<Descriptor> layers, List<Digest> diffIds, String name) throws ContainerException {
    return mountOverlay(lowers(layers, diffIds, name));
  }

  /**
   * Mounts a kept container's overlay at {@code dir/rootfs} over its own {@code dir/upper} and {@code dir/work}
   * (made when missing), extracting the layers that are not extracted yet. Closing the result unmounts it and keeps
   * the directories; a failure leaves them as they were.
   */
  public MountedRootfs mountKept(List<Descriptor> layers, List<Digest> diffIds, String name, Path dir)
      throws ContainerException {
    List<Path> lowers = lowers(layers, diffIds, name);
    Path upper = dir.resolve("upper");
    Path work = dir.resolve("work");
    Path merged = dir.resolve("rootfs");
    try {
      for (Path p : List.of(upper, work, merged)) {
        Files.createDirectories(p);
      }
      if (lowers.isEmpty()) {
        lowers.add(Files.createDirectories(dir.resolve("empty")));
      }
    } catch (IOException e) {
      throw new ContainerException("cannot prepare the root filesystem in " + dir + ": " + e.getMessage(), e);
    }
    HostTools.check(List.of(mount.toString(), "-t", "overlay", "overlay", "-o", options(lowers, upper, work),
        merged.toString()));
    return new MountedRootfs(dir.getFileName().toString(), dir, merged, upper, umount, true);
  }

  private List<Path> lowers(List<Descriptor> layers, List<Digest> diffIds, String name) throws ContainerException {
    if (layers.size() != diffIds.size()) {
      throw new IllegalArgumentException(layers.size() + " layers but " + diffIds.size() + " diffIDs");
    }
    List<Path> lowers = new ArrayList<>();
    LayerTrees trees = LayerTrees.of(store);
    for (int i = 0; i < layers.size(); i++) {
      try {
        lowers.add(0, trees.ensure(layers.get(i), diffIds.get(i))); // overlay lists the top layer first
      } catch (IOException | StoreException e) {
        throw new ContainerException("cannot extract layer " + layers.get(i).digest() + " of image " + name + ": "
            + e.getMessage(), e);
      }
    }
    return lowers;
  }

  /**
   * An overlay whose only lower dir is the host directory {@code lower}: reads see it, writes go to a fresh upper
   * dir and vanish on close (a read-write bind mount whose writes are discarded).
   */
  public MountedRootfs overlayOf(Path lower) throws ContainerException {
    return mountOverlay(new ArrayList<>(List.of(lower)));
  }

  private MountedRootfs mountOverlay(List<Path> lowers) throws ContainerException {
    String id = UUID.randomUUID().toString().replace("-", "");
    Path dir = store.root().resolve("containers").resolve(id);
    Path upper = dir.resolve("upper");
    Path work = dir.resolve("work");
    Path merged = dir.resolve("rootfs"); // so that dir is also the OCI bundle
    try {
      for (Path p : List.of(upper, work, merged)) {
        Files.createDirectories(p);
      }
      if (lowers.isEmpty()) { // overlay needs a lower dir; an image without layers is an empty tree
        lowers.add(Files.createDirectories(dir.resolve("empty")));
      }
      HostTools.check(List.of(mount.toString(), "-t", "overlay", "overlay", "-o", options(lowers, upper, work),
          merged.toString()));
    } catch (IOException | ContainerException | RuntimeException e) {
      deleteQuietly(dir, e);
      if (e instanceof IOException io) {
        throw new ContainerException("cannot prepare the root filesystem in " + dir + ": " + io.getMessage(), io);
      }
      if (e instanceof ContainerException c) {
        throw c;
      }
      throw (RuntimeException) e;
    }
    return new MountedRootfs(id, dir, merged, upper, umount);
  }

  private static String options(List<Path> lowers, Path upper, Path work) throws ContainerException {
    List<String> lowerNames = new ArrayList<>();
    for (Path l : lowers) {
      lowerNames.add(optionSafe(l));
    }
    String options = "lowerdir=" + String.join(":", lowerNames) + ",upperdir=" + optionSafe(upper) + ",workdir="
        + optionSafe(work);
    if (!UserNamespace.isRealRoot()) {
      // In a user namespace overlay keeps whiteouts and opaque marks in user.overlay.* xattrs (kernel >= 5.11). That
      // already turns redirects and metacopy off, and the kernel refuses to be told so a second time.
      return options + ",userxattr";
    }
    return options + OFF_FEATURES;
  }

  /**
   * Overlay features a kernel may turn on by default (module parameters, e.g. CONFIG_OVERLAY_FS_REDIRECT_DIR), each
   * switched off for our mounts. With them an upper dir stops being a plain diff: a renamed directory becomes an
   * empty one pointing at its old path, a chmod leaves a metadata-only copy whose data stays below, and neither can
   * be read as a layer or serve as another mount's lower dir. Without them overlay copies up instead, as docker's
   * overlay2 driver insists too. Only for real root: rootless mounts use {@code userxattr}, with which the kernel turns
   * them off itself and rejects {@code redirect_dir=off} (it reads as {@code follow}) as a conflict.
   */
  private static final String OFF_FEATURES = offFeatures(Path.of("/sys/module/overlay/parameters"));

  static String offFeatures(Path parameters) {
    StringBuilder off = new StringBuilder();
    for (String feature : List.of("redirect_dir", "metacopy", "index", "nfs_export")) {
      try {
        String value = Files.readString(parameters.resolve(feature)).trim();
        if (value.equals("Y") || value.equals("on")) {
          off.append(',').append(feature).append("=off");
        }
      } catch (IOException | RuntimeException e) {
        // not loaded yet, or an older kernel without the feature: its default is off
      }
    }
    return off.toString();
  }

  /** Overlay options are split on commas and colons; a path holding one would be misread, so it is refused. */
  private static String optionSafe(Path p) throws ContainerException {
    String s = p.toAbsolutePath().toString();
    if (s.contains(",") || s.contains(":") || s.contains("\\")) {
      throw new ContainerException("cannot use " + s + " in an overlay mount: it holds ',', ':' or '\\'");
    }
    return s;
  }

  private static void deleteQuietly(Path dir, Exception primary) {
    try {
      LayerApplier.deleteTree(dir);
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }
}

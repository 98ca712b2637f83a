package dev.jbuild.runtime;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages.StoredImage;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one command in a container made from a stored image: overlay rootfs, OCI bundle, runc, cleanup. */
public final class Containers {
  private Containers() {}

  /** Reads what a run changed while the upper dir still exists (e.g. writes it as a layer tar). */
  @FunctionalInterface
  public interface ChangesReader {
    void read(List<LayerEntry> changes) throws IOException;
  }

  /**
   * Runs {@code spec} in a container made from {@code image} (called {@code name} in errors). The image's
   * environment comes first and {@code spec.env()} overrides it key by key. With {@code changes} true the result
   * lists what the container changed.
   */
  public static RunResult run(Store store, Descriptor image, String name, ContainerSpec spec, InputStream stdin,
      OutputStream stdout, OutputStream stderr, boolean changes) throws ContainerException {
    return run(store, image, name, spec, stdin, stdout, stderr, changes ? c -> { } : null);
  }

  /**
   * As {@link #run(Store, Descriptor, String, ContainerSpec, InputStream, OutputStream, OutputStream, boolean)},
   * handing the changes to {@code onChanges} (when not null) before the upper dir is removed.
   */
  @SuppressWarnings("try")
  public static RunResult run(Store store, Descriptor image, String name, ContainerSpec spec, InputStream stdin,
      OutputStream stdout, OutputStream stderr, ChangesReader onChanges) throws ContainerException {
    Rootfs rootfs = Rootfs.of(store);
    StoredImage stored = rootfs.read(image, name);
    ContainerSpec effective = spec.withEnv(mergeEnv(stored.config().config(), spec.env()));
    Runc runc = Runc.locate(store.root().resolve("runc"));
    try (MountedRootfs fs = rootfs.mount(stored, name)) {
      OciBundle bundle;
      try {
        bundle = OciBundle.write(fs.dir(), effective);
      } catch (IOException e) {
        throw new ContainerException("cannot write the OCI bundle in " + fs.dir() + ": " + e.getMessage(), e);
      }
      int code = runc.run(bundle.dir(), "jbuild-" + fs.id(), stdin, stdout, stderr);
      List<LayerEntry> found = List.of();
      if (onChanges != null) {
        try {
          found = LayerTarWriter.fromOverlayUpperdir(fs.upper());
          onChanges.read(found);
        } catch (IOException e) {
          throw new ContainerException("cannot read the changes in " + fs.upper() + ": " + e.getMessage(), e);
        }
      }
      return new RunResult(code, found);
    }
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

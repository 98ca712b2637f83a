package dev.jbuild.cli;

import dev.jbuild.builder.BuildResult;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.archive.ArchiveFormat;
import dev.jbuild.store.archive.ArchiveWriter;
import dev.jbuild.store.archive.RootfsExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Writes a built image to the {@code --output}s of {@code jbuild build}. Tars go to a temp file renamed into place
 * (or to stdout); directories are filled by the store's layer applier, which resolves every path inside the
 * directory, from the same tar a file output would hold, so both forms have the same content.
 */
final class BuildExports {
  private final Store store;
  private final BuildResult result;
  private final StoredImages.StoredImage image;

  BuildExports(Store store, BuildResult result) throws StoreException, OciException {
    this.store = store;
    this.result = result;
    this.image = StoredImages.read(store.blobs(), result.manifest(), Platform.host(), result.manifest().digest()
        .toString());
  }

  /** Writes one output; type image and registry have nothing to write here. */
  void write(BuildOutput output) throws IOException, StoreException {
    switch (output.type()) {
      case LOCAL -> intoDirectory(output.dest(), true, out -> RootfsExporter.export(store.blobs(), image, false, out));
      case TAR -> toFile(output.dest(), "a filesystem tar",
          out -> RootfsExporter.export(store.blobs(), image, false, out));
      case OCI -> {
        if (ociAsDirectory(output)) {
          intoDirectory(output.dest(), false, out -> archive(ArchiveFormat.OCI_ARCHIVE, output, out));
        } else {
          toFile(output.dest(), "an OCI archive", out -> archive(ArchiveFormat.OCI_ARCHIVE, output, out));
        }
      }
      case DOCKER -> toFile(output.dest(), "a docker archive", out -> archive(ArchiveFormat.DOCKER_ARCHIVE, output,
          out));
      default -> { }
    }
  }

  /** {@code tar=false}, a dest that is a directory or ends with '/': an OCI layout directory; otherwise a tar. */
  static boolean ociAsDirectory(BuildOutput output) {
    String tar = output.attrs().get("tar");
    if (tar != null) {
      return !Boolean.parseBoolean(tar);
    }
    return !output.toStdout() && (output.dest().endsWith("/") || Files.isDirectory(Path.of(output.dest())));
  }

  private void archive(ArchiveFormat format, BuildOutput output, OutputStream out) throws IOException, StoreException {
    List<ArchiveWriter.NamedImage> named = new ArrayList<>();
    String name = output.attrs().get("name");
    List<String> names = name != null ? List.of(LocalImages.parse(name).familiar()) : result.tags();
    for (String n : names) {
      named.add(new ArchiveWriter.NamedImage(n, image));
    }
    if (named.isEmpty()) {
      named.add(new ArchiveWriter.NamedImage(null, image));
    }
    ArchiveWriter.write(store.blobs(), named, format, out);
  }

  @FunctionalInterface
  private interface TarWriter {
    void write(OutputStream out) throws IOException, StoreException;
  }

  private static void toFile(String dest, String what, TarWriter writer) throws IOException, StoreException {
    try (ArchiveStreams.Output out = ArchiveStreams.Output.open(dest, what)) {
      writer.write(out.stream());
      out.commit();
    }
  }

  /**
   * Unpacks what {@code writer} writes into {@code dest}. A directory that does not exist yet is filled under a
   * temporary name beside it and renamed when complete, so a failure leaves nothing; an existing one is written
   * into (for {@code local}, as BuildKit does; an OCI layout needs it empty).
   *
   * @param owners keep the tar's owners when this is the real root; otherwise files belong to the current user
   */
  private static void intoDirectory(String dest, boolean owners, TarWriter writer) throws IOException, StoreException {
    Path target = Path.of(dest).toAbsolutePath().normalize();
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(target);
    if (exists && !Files.isDirectory(target)) {
      throw new Errors.UserError("cannot write the output to " + dest + ": it exists and is not a directory");
    }
    if (exists && !owners && !isEmpty(target)) {
      throw new Errors.UserError("cannot write an OCI layout into " + dest + ": the directory is not empty");
    }
    Path parent = target.getParent();
    if (!exists && (parent == null || !Files.isDirectory(parent))) {
      Files.createDirectories(parent);
    }
    Path root = exists ? target : Files.createTempDirectory(parent, "." + target.getFileName() + ".");
    ApplyOptions defaults = ApplyOptions.defaults();
    ApplyOptions options = defaults.withSameOwner(owners && !defaults.rootless());
    boolean ok = false;
    try {
      unpack(writer, root, options);
      if (!exists) {
        Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
      }
      ok = true;
    } finally {
      if (!ok && !exists) {
        LayerApplier.deleteTree(root);
      }
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.findAny().isEmpty();
    }
  }

  /** The writer runs on its own thread into a pipe that the applier reads; the first failure of either wins. */
  private static void unpack(TarWriter writer, Path root, ApplyOptions options) throws IOException, StoreException {
    PipedInputStream in = new PipedInputStream(1 << 20);
    PipedOutputStream pipe = new PipedOutputStream(in);
    AtomicReference<Exception> writeFailure = new AtomicReference<>();
    Thread producer = new Thread(() -> {
      try (OutputStream out = pipe) {
        writer.write(out);
      } catch (IOException | StoreException | RuntimeException e) {
        writeFailure.set(e);
      }
    }, "jbuild-output");
    producer.setDaemon(true);
    producer.start();
    Exception applyFailure = null;
    try (in) {
      LayerApplier.apply(in, root, options);
    } catch (IOException | StoreException | RuntimeException e) {
      applyFailure = e;
    }
    try {
      producer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing the output", e);
    }
    // A writer's IOException after the applier failed is only the broken pipe; otherwise the writer's is the cause.
    Exception written = writeFailure.get();
    Exception first = written != null && !(applyFailure != null && written instanceof IOException) ? written
        : applyFailure;
    if (first instanceof StoreException s) {
      throw s;
    }
    if (first instanceof IOException io) {
      throw new IOException("writing the output into " + root + ": " + io.getMessage(), io);
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
  }
}

package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.registry.ManifestResponse;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Copies an image or index from one repository to another, registry to registry, without the local store.
 * Manifest bytes are pushed exactly as pulled, so every digest stays the same; blobs stream one by one through
 * memory (small ones) or a temp file (so a failed upload can restart), each verified on the way in; within one
 * registry they are mounted across repositories instead.
 *
 * <pre>{@code
 * Digest d = new RegistryCopy(settings, tmpDir, log::info).copy(ImageReference.parse("a/b:1"), ImageReference.parse("c/d:1"));
 * }</pre>
 */
public final class RegistryCopy {
  private static final long IN_MEMORY = 1L << 20;

  private final RegistryClientSettings settings;
  private final Path tempDir;
  private final Consumer<String> log;

  /** @param tempDir where blobs larger than 1 MiB wait between download and upload */
  public RegistryCopy(RegistryClientSettings settings, Path tempDir, Consumer<String> log) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.tempDir = Objects.requireNonNull(tempDir, "tempDir");
    this.log = log == null ? m -> {} : log;
  }

  /** Copies {@code source} to {@code dest} (tag or digest) and returns the digest, the same on both sides. */
  public Digest copy(ImageReference source, ImageReference dest)
      throws IOException, RegistryException, OciException {
    try (RegistryClient from = RegistryClient.create(settings, source);
        RegistryClient to = RegistryClient.create(settings, dest)) {
      String srcRef = source.digest() != null ? source.digest().toString() : source.tag();
      String destRef = dest.digest() != null ? dest.digest().toString() : dest.tag();
      ManifestResponse top = from.pullManifest(srcRef);
      boolean sameRegistry = from.registry().equals(to.registry());
      if (MediaType.isIndex(top.mediaType())) {
        for (Descriptor child : OciJson.readIndex(top.bytes()).manifests()) {
          if (!MediaType.isManifest(child.mediaType())) {
            throw new OciException(source.familiar() + ": nested index " + child.digest() + " is not supported");
          }
          ManifestResponse manifest = from.pullManifest(child.digest().toString());
          copyManifest(from, to, sameRegistry, manifest, child.digest().toString());
        }
        return to.pushManifest(destRef, top.bytes(), top.mediaType());
      }
      return copyManifest(from, to, sameRegistry, top, destRef);
    }
  }

  private Digest copyManifest(RegistryClient from, RegistryClient to, boolean sameRegistry, ManifestResponse m,
      String destRef) throws IOException, RegistryException, OciException {
    Manifest manifest = OciJson.readManifest(m.bytes());
    List<Descriptor> blobs = new ArrayList<>(manifest.layers());
    blobs.add(manifest.config());
    List<Parallel.Task<Void>> tasks = new ArrayList<>();
    for (Descriptor blob : blobs) {
      if (blob.urls().isEmpty()) {
        tasks.add(() -> {
          copyBlob(from, to, sameRegistry, blob);
          return null;
        });
      }
    }
    try {
      Parallel.run(settings.parallelTransfers(), tasks);
    } catch (StoreException e) {
      throw new IllegalStateException("a registry copy never touches the store", e);
    }
    return to.pushManifest(destRef, m.bytes(), m.mediaType());
  }

  private void copyBlob(RegistryClient from, RegistryClient to, boolean sameRegistry, Descriptor blob)
      throws IOException, RegistryException {
    if (to.blobExists(blob.digest())) {
      return;
    }
    Path[] temp = new Path[1];
    byte[][] memory = new byte[1][];
    try {
      RegistryClient.BlobContent content = () -> {
        // Downloaded on first use only: a successful mount never fetches a byte.
        if (memory[0] == null && temp[0] == null) {
          if (blob.size() <= IN_MEMORY) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) blob.size());
            download(from, blob, out);
            memory[0] = out.toByteArray();
          } else {
            temp[0] = Files.createTempFile(tempDir, "copy-", ".blob");
            try (OutputStream out = Files.newOutputStream(temp[0])) {
              download(from, blob, out);
            }
          }
        }
        return memory[0] != null ? new ByteArrayInputStream(memory[0]) : Files.newInputStream(temp[0]);
      };
      if (to.pushBlob(blob, content, sameRegistry ? from.repository() : null)) {
        log.accept("copied " + blob.digest().shortHex() + " (" + blob.size() + " bytes)");
      }
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SourceBlobException source) {
          throw (RegistryException) source.getCause();
        }
      }
      throw e;
    } finally {
      if (temp[0] != null) {
        Files.deleteIfExists(temp[0]);
      }
    }
  }

  private static void download(RegistryClient from, Descriptor blob, OutputStream out) throws IOException {
    try {
      from.pullBlob(blob, out);
    } catch (RegistryException e) {
      // BlobContent may only throw IOException; the cause keeps the registry error for the caller.
      throw new SourceBlobException(e);
    }
  }

  /** Carries a failure of the source registry through {@link RegistryClient.BlobContent#open()}. */
  static final class SourceBlobException extends IOException {
    private static final long serialVersionUID = 1L;

    SourceBlobException(RegistryException cause) {
      super(cause.getMessage(), cause);
    }
  }
}

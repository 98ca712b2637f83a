package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.tar.LayerBlobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One push from the store: layers and config in parallel (compressing the uncompressed layers once), manifest
 * last. The manifest is checked first: when the registry's tag already names exactly the manifest this push
 * would send, the push is one HEAD (a registry accepts a manifest only once it has every blob it references).
 * Blobs the registry lacks are mounted from another repository of the same registry when {@link BlobSources}
 * knows one, and uploaded otherwise.
 */
final class ImagePusher {
  private final Store store;
  private final RegistryClientSettings settings;
  private final Consumer<String> log;
  private final MediaType.Compression compression;
  private final BlobSources sources;

  ImagePusher(Store store, RegistryClientSettings settings, Consumer<String> log, MediaType.Compression compression,
      BlobSources sources) {
    this.store = store;
    this.settings = settings;
    this.log = log;
    this.compression = compression == MediaType.Compression.NONE ? MediaType.Compression.GZIP : compression;
    this.sources = sources;
  }

  Digest pushIndex(RegistryClient client, Descriptor local, String tag)
      throws IOException, RegistryException, StoreException, OciException {
    byte[] bytes = store.blobs().readAll(local.digest(), ImageTransfer.MAX_MANIFEST);
    ImageIndex index = OciJson.readIndex(bytes);
    if (alreadyThere(client, tag, local.digest())) {
      return local.digest();
    }
    for (Descriptor child : index.manifests()) {
      if (!store.blobs().has(child.digest())) {
        throw new OciException("cannot push the index " + local.digest() + ": its manifest " + child.digest() + " for "
            + child.platform() + " was never pulled into the local store (pull it with --all-platforms)");
      }
      Digest pushed = pushManifest(client, child, child.digest().toString());
      if (!pushed.equals(child.digest())) {
        throw new OciException("cannot push the index " + local.digest() + ": its manifest " + child.digest()
            + " has uncompressed layers");
      }
    }
    return client.pushManifest(tag, bytes, local.mediaType());
  }

  Digest pushManifest(RegistryClient client, Descriptor descriptor, String tag)
      throws IOException, RegistryException, StoreException, OciException {
    byte[] bytes = store.blobs().readAll(descriptor.digest(), ImageTransfer.MAX_MANIFEST);
    Manifest manifest = OciJson.readManifest(bytes);
    boolean docker = MediaType.DOCKER_MANIFEST.equals(manifest.mediaType());
    List<Descriptor> known = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      Descriptor out = outgoing(layer, docker, false);
      if (out == null) {
        known = null; // a layer still to compress: the outgoing manifest is not known yet
        break;
      }
      known.add(out);
    }
    if (known != null) {
      byte[] outgoing = withLayers(manifest, bytes, known);
      Digest digest = Digest.sha256Of(outgoing);
      if (alreadyThere(client, tag, digest)) {
        keepRewritten(manifest, bytes, outgoing);
        for (Descriptor blob : known) {
          sources.add(blob.digest(), client.registry(), client.repository());
        }
        sources.add(manifest.config().digest(), client.registry(), client.repository());
        return digest;
      }
    }
    List<Parallel.Task<Descriptor>> tasks = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      tasks.add(() -> {
        Descriptor out = outgoing(layer, docker, true);
        pushBlob(client, out);
        return out;
      });
    }
    tasks.add(() -> {
      pushBlob(client, manifest.config());
      return manifest.config();
    });
    List<Descriptor> layers = new ArrayList<>(Parallel.run(settings.parallelTransfers(), tasks));
    layers.remove(layers.size() - 1);
    byte[] outgoing = withLayers(manifest, bytes, layers);
    keepRewritten(manifest, bytes, outgoing);
    return client.pushManifest(tag, outgoing, manifest.mediaType());
  }

  /** Whether {@code tag} on the registry names {@code digest} already: then it has every blob too. */
  private boolean alreadyThere(RegistryClient client, String tag, Digest digest)
      throws IOException, RegistryException {
    Optional<Descriptor> there = client.headManifest(tag);
    if (there.isPresent() && there.get().digest().equals(digest)) {
      log.accept(client.repository() + ":" + tag + " is " + digest.shortHex() + " already; nothing to push");
      return true;
    }
    return false;
  }

  private static byte[] withLayers(Manifest manifest, byte[] bytes, List<Descriptor> layers) {
    if (layers.equals(manifest.layers())) {
      return bytes;
    }
    return OciJson.write(new Manifest(manifest.mediaType(), manifest.artifactType(), manifest.config(), layers,
        manifest.subject(), manifest.annotations()));
  }

  /** The manifest with compressed layers is kept in the store, as the pushed image's own manifest. */
  private void keepRewritten(Manifest manifest, byte[] stored, byte[] outgoing) throws StoreException {
    if (outgoing != stored && !store.blobs().has(Digest.sha256Of(outgoing))) {
      store.blobs().put(manifest.mediaType(), outgoing);
    }
  }

  /**
   * The layer as it leaves the machine: an uncompressed layer compressed with {@link #compression} (when {@code
   * compress} is false, only if that was done before, else null), any other as it is.
   */
  private Descriptor outgoing(Descriptor layer, boolean docker, boolean compress)
      throws IOException, StoreException, OciException {
    if (MediaType.layerCompression(layer.mediaType()) != MediaType.Compression.NONE || !layer.urls().isEmpty()) {
      return layer;
    }
    if (compression == MediaType.Compression.ZSTD && docker) {
      if (!compress) {
        return null;
      }
      throw new OciException("cannot push layer " + layer.digest() + " with zstd in a Docker schema 2 manifest;"
          + " use gzip");
    }
    Descriptor out;
    if (compress) {
      out = LayerBlobs.compressed(store, layer.digest(), compression);
    } else {
      Optional<Descriptor> known = store.compression().lookup(layer.digest(), compression);
      if (known.isEmpty()) {
        return null;
      }
      out = known.get();
    }
    if (docker) {
      out = out.withMediaType(MediaType.DOCKER_LAYER_GZIP);
    }
    return out.withAnnotations(layer.annotations());
  }

  private void pushBlob(RegistryClient client, Descriptor blob) throws IOException, RegistryException {
    if (!blob.urls().isEmpty()) {
      return; // a foreign layer lives at its URLs, not in the registry
    }
    String mountFrom = sources.lookup(blob.digest(), client.registry())
        .map(BlobSources.Source::repository)
        .filter(repository -> !repository.equals(client.repository()))
        .orElse(null);
    boolean uploaded = client.pushBlob(blob, () -> {
      try {
        return store.blobs().open(blob.digest());
      } catch (StoreException e) {
        throw new IOException(e.getMessage(), e);
      }
    }, mountFrom);
    sources.add(blob.digest(), client.registry(), client.repository());
    if (uploaded) {
      log.accept("pushed " + blob.digest().shortHex() + " (" + blob.size() + " bytes)");
    }
  }
}

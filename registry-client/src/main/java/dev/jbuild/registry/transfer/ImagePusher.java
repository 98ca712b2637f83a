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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** One push from the store: layers in parallel (compressing the uncompressed ones once), config, manifest last. */
final class ImagePusher {
  private final Store store;
  private final RegistryClientSettings settings;
  private final Consumer<String> log;
  private final MediaType.Compression compression;

  ImagePusher(Store store, RegistryClientSettings settings, Consumer<String> log, MediaType.Compression compression) {
    this.store = store;
    this.settings = settings;
    this.log = log;
    this.compression = compression == MediaType.Compression.NONE ? MediaType.Compression.GZIP : compression;
  }

  Digest pushIndex(RegistryClient client, Descriptor local, String tag)
      throws IOException, RegistryException, StoreException, OciException {
    byte[] bytes = store.blobs().readAll(local.digest(), ImageTransfer.MAX_MANIFEST);
    ImageIndex index = OciJson.readIndex(bytes);
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
    List<Parallel.Task<Descriptor>> tasks = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      tasks.add(() -> {
        Descriptor out = layer;
        if (MediaType.layerCompression(layer.mediaType()) == MediaType.Compression.NONE && layer.urls().isEmpty()) {
          out = ImageTransfer.compressed(store, layer, compression, docker);
        }
        pushBlob(client, out);
        return out;
      });
    }
    List<Descriptor> layers = Parallel.run(settings.parallelTransfers(), tasks);
    pushBlob(client, manifest.config());
    if (!layers.equals(manifest.layers())) {
      bytes = OciJson.write(new Manifest(manifest.mediaType(), manifest.artifactType(), manifest.config(), layers,
          manifest.subject(), manifest.annotations()));
      store.blobs().put(manifest.mediaType(), bytes);
    }
    return client.pushManifest(tag, bytes, manifest.mediaType());
  }

  private void pushBlob(RegistryClient client, Descriptor blob) throws IOException, RegistryException {
    if (!blob.urls().isEmpty()) {
      return; // a foreign layer lives at its URLs, not in the registry
    }
    boolean uploaded = client.pushBlob(blob, () -> {
      try {
        return store.blobs().open(blob.digest());
      } catch (StoreException e) {
        throw new IOException(e.getMessage(), e);
      }
    }, null);
    if (uploaded) {
      log.accept("pushed " + blob.digest().shortHex() + " (" + blob.size() + " bytes)");
    }
  }
}

package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.ManifestResponse;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.tar.LayerBlobs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Moves images between a registry and the local store.
 *
 * <p>A pull stores blobs first and manifests last, each verified against its digest before it is visible,
 * and checks every layer's diffID against the config, so an image is in the store whole or not at all (the
 * caller tags it afterwards). A push compresses locally built layers once (the store remembers the result),
 * lets the registry skip what it already has, and pushes the manifest last.
 */
public final class ImageTransfer {
  private static final long MAX_CONFIG = 4L << 20;

  private final Store store;
  private final RegistryClientSettings settings;
  private final Consumer<String> log;

  public ImageTransfer(Store store, RegistryClientSettings settings, Consumer<String> log) {
    this.store = store;
    this.settings = settings;
    this.log = log == null ? m -> {} : log;
  }

  /**
   * A pulled image.
   *
   * @param stored what the reference points at (an index or a manifest): tag this
   * @param manifest the platform's manifest
   */
  public record PullResult(Descriptor stored, Descriptor manifest) {}

  /** Pulls {@code ref} for {@code platform} into the store; the caller tags {@link PullResult#stored()}. */
  public PullResult pull(ImageReference ref, Platform platform)
      throws IOException, RegistryException, StoreException, OciException {
    try (RegistryClient client = RegistryClient.create(settings, ref)) {
      String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
      ManifestResponse top = client.pullManifest(reference);
      Descriptor topDescriptor = new Descriptor(top.mediaType(), top.digest(), top.size());
      ManifestResponse image = top;
      Descriptor imageDescriptor = topDescriptor;
      Platform indexPlatform = null;
      if (MediaType.isIndex(top.mediaType())) {
        ImageIndex index = OciJson.readIndex(top.bytes());
        Descriptor chosen = select(index, platform, ref);
        image = client.pullManifest(chosen.digest().toString());
        if (image.size() != chosen.size()) {
          throw new DigestMismatchException(ref.familiar() + " manifest", chosen.size(), image.size(), chosen.digest());
        }
        imageDescriptor = new Descriptor(image.mediaType(), image.digest(), image.size());
        indexPlatform = chosen.platform();
      }
      Manifest manifest = OciJson.readManifest(image.bytes());
      byte[] configBytes = fetchSmall(client, manifest.config());
      ImageConfig config = OciJson.readConfig(configBytes);
      if (config.diffIds().size() != manifest.layers().size()) {
        throw new OciException(ref.familiar() + ": the config lists " + config.diffIds().size()
            + " diff_ids for " + manifest.layers().size() + " layers");
      }
      if (indexPlatform != null && !indexPlatform.matches(config.platform())) {
        throw new OciException(ref.familiar() + ": the index says " + indexPlatform + " but the image's config says "
            + config.platform());
      }
      for (int i = 0; i < manifest.layers().size(); i++) {
        pullLayer(client, ref, manifest.layers().get(i), config.diffIds().get(i));
      }
      store.blobs().ingest(new java.io.ByteArrayInputStream(configBytes), manifest.config().digest(),
          manifest.config().size());
      // Manifests last: once they are in, everything they point at is.
      store.blobs().ingest(new java.io.ByteArrayInputStream(image.bytes()), image.digest(), image.size());
      if (image != top) {
        store.blobs().ingest(new java.io.ByteArrayInputStream(top.bytes()), top.digest(), top.size());
      }
      return new PullResult(topDescriptor, imageDescriptor);
    }
  }

  private static Descriptor select(ImageIndex index, Platform platform, ImageReference ref) throws OciException {
    List<String> available = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (d.platform() != null && MediaType.isManifest(d.mediaType())) {
        if (platform.matches(d.platform())) {
          return d;
        }
        available.add(d.platform().toString());
      }
    }
    throw new OciException(ref.familiar() + " has no image for platform " + platform + " (it has: "
        + (available.isEmpty() ? "none" : String.join(", ", available)) + ")");
  }

  private byte[] fetchSmall(RegistryClient client, Descriptor d)
      throws IOException, RegistryException, OciException, StoreException {
    if (d.size() > MAX_CONFIG) {
      throw new OciException("config " + d.digest() + " is " + d.size() + " bytes, more than the 4 MiB limit");
    }
    if (store.blobs().has(d.digest())) {
      return store.blobs().readAll(d.digest(), MAX_CONFIG);
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) d.size());
    client.pullBlob(d, out);
    return out.toByteArray();
  }

  /**
   * Downloads a layer into the store unless it is there, then checks its uncompressed digest against the
   * config's diffID (case M10): a registry cannot swap a layer for another that merely has a valid digest.
   */
  private void pullLayer(RegistryClient client, ImageReference ref, Descriptor layer, Digest diffId)
      throws IOException, RegistryException, StoreException, OciException {
    if (!MediaType.isLayer(layer.mediaType())) {
      throw new OciException(ref.familiar() + ": " + layer.digest() + " has media type " + layer.mediaType()
          + ", which is not a layer");
    }
    if (!layer.urls().isEmpty()) {
      throw new OciException(ref.familiar() + ": layer " + layer.digest()
          + " is a foreign layer (urls); foreign layers are not fetched");
    }
    if (!store.blobs().has(layer.digest())) {
      log.accept("pulling " + layer.digest().shortHex() + " (" + layer.size() + " bytes)");
      try (BlobWriter writer = store.blobs().newWriter()) {
        client.pullBlob(layer, writer.stream());
        writer.commit(layer.digest(), layer.size());
      }
    }
    Digest actual = uncompressedDigest(layer);
    if (!actual.equals(diffId)) {
      throw new DigestMismatchException(ref.familiar() + " layer " + layer.digest() + " (uncompressed)", diffId, actual);
    }
  }

  private Digest uncompressedDigest(Descriptor layer) throws IOException, StoreException {
    MessageDigest hasher = Digest.newSha256();
    try (InputStream raw = new BufferedInputStream(store.blobs().open(layer.digest()), 1 << 16);
        InputStream plain = switch (MediaType.layerCompression(layer.mediaType())) {
          case GZIP -> new GZIPInputStream(raw, 1 << 16);
          case NONE -> raw;
          case ZSTD -> throw new IOException("zstd layers are not supported yet: " + layer.digest());
        };
        DigestInputStream in = new DigestInputStream(plain, hasher)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Digest.sha256(hasher.digest());
  }

  /**
   * Pushes a stored image to {@code dest} and returns the digest of the manifest the registry now holds under
   * the tag. Uncompressed layers go out gzip-compressed, so that manifest differs from the stored one.
   */
  public Digest push(Descriptor local, ImageReference dest)
      throws IOException, RegistryException, StoreException, OciException {
    try (RegistryClient client = RegistryClient.create(settings, dest)) {
      if (MediaType.isIndex(local.mediaType())) {
        ImageIndex index = OciJson.readIndex(store.blobs().readAll(local.digest(), MAX_CONFIG));
        for (Descriptor child : index.manifests()) {
          if (!store.blobs().has(child.digest())) {
            throw new OciException("cannot push the index " + local.digest() + ": its manifest for "
                + child.platform() + " was never pulled into the local store");
          }
          Digest pushed = pushManifest(client, child, child.digest().toString());
          if (!pushed.equals(child.digest())) {
            throw new OciException("cannot push the index " + local.digest() + ": its manifest " + child.digest()
                + " has uncompressed layers");
          }
        }
        return client.pushManifest(dest.tag(), store.blobs().readAll(local.digest(), MAX_CONFIG), local.mediaType());
      }
      return pushManifest(client, local, dest.tag());
    }
  }

  private Digest pushManifest(RegistryClient client, Descriptor descriptor, String tag)
      throws IOException, RegistryException, StoreException, OciException {
    byte[] bytes = store.blobs().readAll(descriptor.digest(), MAX_CONFIG);
    Manifest manifest = OciJson.readManifest(bytes);
    boolean docker = MediaType.DOCKER_MANIFEST.equals(manifest.mediaType());
    List<Descriptor> layers = new ArrayList<>();
    boolean changed = false;
    for (Descriptor layer : manifest.layers()) {
      Descriptor out = layer;
      if (MediaType.layerCompression(layer.mediaType()) == MediaType.Compression.NONE) {
        out = LayerBlobs.compressed(store, layer.digest(), MediaType.Compression.GZIP);
        if (docker) {
          out = out.withMediaType(MediaType.DOCKER_LAYER_GZIP);
        }
        out = out.withAnnotations(layer.annotations());
        changed = true;
      }
      pushBlob(client, out);
      layers.add(out);
    }
    pushBlob(client, manifest.config());
    if (changed) {
      bytes = OciJson.write(new Manifest(manifest.mediaType(), manifest.artifactType(), manifest.config(), layers,
          manifest.subject(), manifest.annotations()));
      store.blobs().put(manifest.mediaType(), bytes);
    }
    return client.pushManifest(tag, bytes, manifest.mediaType());
  }

  private void pushBlob(RegistryClient client, Descriptor blob) throws IOException, RegistryException {
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

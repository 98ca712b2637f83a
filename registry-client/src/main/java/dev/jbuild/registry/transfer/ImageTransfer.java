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
import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.layers.LayerTrees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Moves images between a registry and the local store.
 *
 * <p>A pull asks for the manifest with {@code HEAD} first and reads it from the store when it is already
 * there, so pulling an image again costs one request. Blobs are stored before manifests, each verified against
 * its digest before it is visible (through the store's {@link BlobWriter}, which commits only verified
 * content), and every layer's diffID is checked against the config, so an image is in the store whole or not
 * at all (the caller tags it afterwards). Layers move {@link RegistryClientSettings#parallelTransfers()} at a
 * time. A push compresses locally built layers once (the store remembers the result), lets the registry skip
 * what it already has, and pushes the manifest last.
 */
public final class ImageTransfer {
  static final long MAX_MANIFEST = 4L << 20;

  private final Store store;
  private final RegistryClientSettings settings;
  private final Consumer<String> log;
  private final BlobSources sources;
  private final Platform unpackFor;

  public ImageTransfer(Store store, RegistryClientSettings settings, Consumer<String> log) {
    this(store, settings, log, null);
  }

  private ImageTransfer(Store store, RegistryClientSettings settings, Consumer<String> log, Platform unpackFor) {
    this.store = store;
    this.settings = settings;
    this.log = log == null ? m -> {} : log;
    this.sources = new BlobSources(store.root());
    this.unpackFor = unpackFor;
  }

  /**
   * This transfer, but pulls also unpack the layers of images for {@code platform} (the host's, usually) into the
   * store's layer trees ({@link LayerTrees#ensure}) as each layer arrives, overlapping the downloads still running,
   * as docker and podman pull. The first build or run on the image then starts at once instead of extracting it. A
   * layer that cannot be extracted safely fails the pull, naming the layer. Images for other platforms are stored
   * only.
   */
  public ImageTransfer unpackingFor(Platform platform) {
    return new ImageTransfer(store, settings, log, Objects.requireNonNull(platform, "platform"));
  }

  /**
   * A pulled image.
   *
   * @param stored what the reference points at (an index or a manifest): tag this
   * @param manifest the platform's manifest; for an all-platforms pull of an index, the index itself
   */
  public record PullResult(Descriptor stored, Descriptor manifest) {}

  /** Pulls {@code ref} for {@code platform} into the store; the caller tags {@link PullResult#stored()}. */
  public PullResult pull(ImageReference ref, Platform platform)
      throws IOException, RegistryException, StoreException, OciException {
    Digest.prepareSha256(); // every layer is hashed twice (blob, diffID): the native digest, when there is one
    try (RegistryClient client = RegistryClient.create(settings, ref)) {
      Fetched top = fetchTop(client, ref);
      if (!MediaType.isIndex(top.descriptor().mediaType())) {
        pullImage(client, ref, top, null, platform);
        saveSources();
        return new PullResult(top.descriptor(), top.descriptor());
      }
      ImageIndex index = OciJson.readIndex(top.bytes());
      Descriptor chosen = select(index, platform, ref);
      Fetched image = fetchManifest(client, ref, chosen);
      pullImage(client, ref, image, chosen.platform(), null);
      store.blobs().ingest(new ByteArrayInputStream(top.bytes()), top.descriptor().digest(), top.descriptor().size());
      saveSources();
      return new PullResult(top.descriptor(), image.descriptor());
    }
  }

  /**
   * Pulls {@code ref} with every manifest an index lists (all platforms, attestations included) and stores the
   * index itself, so the stored image can be pushed again as the same multi-platform image.
   */
  public PullResult pullAllPlatforms(ImageReference ref)
      throws IOException, RegistryException, StoreException, OciException {
    Digest.prepareSha256();
    try (RegistryClient client = RegistryClient.create(settings, ref)) {
      Fetched top = fetchTop(client, ref);
      if (!MediaType.isIndex(top.descriptor().mediaType())) {
        pullImage(client, ref, top, null, null);
        saveSources();
        return new PullResult(top.descriptor(), top.descriptor());
      }
      for (Descriptor child : OciJson.readIndex(top.bytes()).manifests()) {
        if (!MediaType.isManifest(child.mediaType())) {
          throw new OciException(ref.familiar() + ": the index lists " + child.digest() + " of media type "
              + child.mediaType() + "; only image manifests are supported in an index");
        }
        pullImage(client, ref, fetchManifest(client, ref, child), child.platform(), null);
      }
      store.blobs().ingest(new ByteArrayInputStream(top.bytes()), top.descriptor().digest(), top.descriptor().size());
      saveSources();
      return new PullResult(top.descriptor(), top.descriptor());
    }
  }

  /** A manifest or index with its raw bytes, verified against its digest. */
  private record Fetched(Descriptor descriptor, byte[] bytes) {}

  /** HEAD first: an image whose manifest is in the store already costs no GET (Docker Hub counts GETs). */
  private Fetched fetchTop(RegistryClient client, ImageReference ref)
      throws IOException, RegistryException, StoreException {
    String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
    Optional<Descriptor> head = client.headManifest(reference);
    Descriptor d = head.orElse(null);
    if (d != null && store.blobs().has(d.digest()) && store.blobs().size(d.digest()) == d.size()
        && (MediaType.isIndex(d.mediaType()) || MediaType.isManifest(d.mediaType()))) {
      return new Fetched(d, store.blobs().readAll(d.digest(), MAX_MANIFEST));
    }
    // Also the path for an absent manifest: the GET raises the not-found error naming the reference.
    ManifestResponse response = client.pullManifest(reference);
    return new Fetched(new Descriptor(response.mediaType(), response.digest(), response.size()), response.bytes());
  }

  private Fetched fetchManifest(RegistryClient client, ImageReference ref, Descriptor d)
      throws IOException, RegistryException, StoreException, OciException {
    if (store.blobs().has(d.digest()) && store.blobs().size(d.digest()) == d.size()) {
      return new Fetched(d, store.blobs().readAll(d.digest(), MAX_MANIFEST));
    }
    ManifestResponse image = client.pullManifest(d.digest().toString());
    if (image.size() != d.size()) {
      throw new DigestMismatchException(ref.familiar() + " manifest", d.size(), image.size(), d.digest());
    }
    return new Fetched(new Descriptor(image.mediaType(), image.digest(), image.size()).withPlatform(d.platform()),
        image.bytes());
  }

  private static Descriptor select(ImageIndex index, Platform platform, ImageReference ref) throws OciException {
    java.util.Optional<Descriptor> best = platform.select(index.manifests());
    if (best.isPresent()) {
      return best.get();
    }
    List<String> available = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (d.platform() != null && MediaType.isManifest(d.mediaType())) {
        available.add(d.platform().toString());
      }
    }
    throw new OciException(ref.familiar() + " has no image for platform " + platform + " (it has: "
        + (available.isEmpty() ? "none" : String.join(", ", available)) + "); choose one with --platform");
  }

  /**
   * Stores one image manifest and everything it references; the manifest goes in last. {@code wanted} is the
   * platform asked for when there was no index to choose from: the config must then be for it.
   */
  private void pullImage(RegistryClient client, ImageReference ref, Fetched image, Platform indexPlatform,
      Platform wanted) throws IOException, RegistryException, StoreException, OciException {
    Manifest manifest = OciJson.readManifest(image.bytes());
    byte[] configBytes = fetchSmall(client, manifest.config());
    String configType = manifest.config().mediaType();
    // BuildKit's attestation manifests have an image config (for unknown/unknown) but in-toto blobs for layers:
    // a manifest none of whose blobs is a layer is an artifact, whatever its config. One that mixes them is an
    // image, and its non-layer blob is refused below.
    boolean anyLayer = manifest.layers().stream().anyMatch(l -> MediaType.isLayer(l.mediaType()));
    if ((MediaType.OCI_CONFIG.equals(configType) || MediaType.DOCKER_CONFIG.equals(configType))
        && (anyLayer || manifest.layers().isEmpty())) {
      ImageConfig config = OciJson.readConfig(configBytes);
      if (config.diffIds().size() != manifest.layers().size()) {
        throw new OciException(ref.familiar() + ": the config lists " + config.diffIds().size()
            + " diff_ids for " + manifest.layers().size() + " layers");
      }
      if (wanted != null && config.os() != null && config.architecture() != null
          && !wanted.matches(config.platform())) {
        throw new OciException(ref.familiar() + " is an image for " + config.platform() + " only, not for " + wanted
            + "; choose --platform " + config.platform());
      }
      if (indexPlatform != null && !indexPlatform.matches(config.platform())) {
        throw new OciException(ref.familiar() + ": the index says " + indexPlatform + " but the image's config says "
            + config.platform());
      }
      // Only where files keep the layer's owners (uid 0, real or in a user namespace): a tree made as anyone else
      // would be shared by later runs with the wrong owners. Those then extract it in their namespace.
      boolean unpack = unpackFor != null && config.os() != null && config.architecture() != null
          && unpackFor.matches(config.platform()) && ApplyOptions.defaults().sameOwner();
      List<Parallel.Task<Void>> tasks = new ArrayList<>();
      for (int i = 0; i < manifest.layers().size(); i++) {
        Descriptor layer = manifest.layers().get(i);
        Digest diffId = config.diffIds().get(i);
        tasks.add(() -> {
          pullLayer(client, ref, layer, diffId);
          if (unpack) {
            unpackLayer(ref, layer, diffId);
          }
          return null;
        });
      }
      Parallel.run(settings.parallelTransfers(), tasks);
    } else {
      // An artifact (an attestation, a signature): its blobs are not tars, so only their digests are checked.
      List<Parallel.Task<Void>> tasks = new ArrayList<>();
      for (Descriptor blob : manifest.layers()) {
        tasks.add(() -> {
          pullBlob(client, blob);
          return null;
        });
      }
      Parallel.run(settings.parallelTransfers(), tasks);
    }
    store.blobs().ingest(new ByteArrayInputStream(configBytes), manifest.config().digest(), manifest.config().size());
    sources.add(manifest.config().digest(), client.registry(), client.repository());
    // Manifests last: once they are in, everything they point at is.
    store.blobs().ingest(new ByteArrayInputStream(image.bytes()), image.descriptor().digest(),
        image.descriptor().size());
  }

  private byte[] fetchSmall(RegistryClient client, Descriptor d)
      throws IOException, RegistryException, OciException, StoreException {
    if (d.size() > MAX_MANIFEST) {
      throw new OciException("config " + d.digest() + " is " + d.size() + " bytes, more than the 4 MiB limit");
    }
    if (store.blobs().has(d.digest())) {
      return store.blobs().readAll(d.digest(), MAX_MANIFEST);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) d.size());
    client.pullBlob(d, out);
    return out.toByteArray();
  }

  /**
   * Downloads a layer into the store unless it is there, checking its uncompressed digest against the config's
   * diffID (case M10): a registry cannot swap a layer for another that merely has a valid digest. A download is
   * decompressed and hashed while it streams in, and committed only when both digests match, so a layer that
   * fails either check never becomes visible in the store.
   */
  private void pullLayer(RegistryClient client, ImageReference ref, Descriptor layer, Digest diffId)
      throws IOException, RegistryException, StoreException, OciException {
    if (!MediaType.isLayer(layer.mediaType())) {
      throw new OciException(ref.familiar() + ": " + layer.digest() + " has media type " + layer.mediaType()
          + ", which is not a layer");
    }
    if (!layer.urls().isEmpty()) {
      // Never fetched, so a foreign URL's 401 challenge is never answered with our credentials (C08).
      throw new OciException(ref.familiar() + ": layer " + layer.digest()
          + " is a foreign layer (urls); foreign layers are not fetched");
    }
    MediaType.Compression c = MediaType.layerCompression(layer.mediaType());
    if (!store.blobs().has(layer.digest())) {
      log.accept("pulling " + layer.digest().shortHex() + " (" + layer.size() + " bytes)");
      if (c == MediaType.Compression.NONE) {
        // An uncompressed layer's diffID is its digest: checked before a byte moves, then by the download.
        checkDiffId(ref, layer, diffId, layer.digest());
        pullBlob(client, layer);
      } else {
        pullCompressedLayer(client, ref, layer, diffId, c);
      }
      DiffIds.remember(store, layer, diffId);
    } else if (!DiffIds.known(store, layer, diffId)) {
      checkDiffId(ref, layer, diffId, DiffIds.uncompressed(store, layer));
      DiffIds.remember(store, layer, diffId);
    }
    sources.add(layer.digest(), client.registry(), client.repository());
  }

  private void unpackLayer(ImageReference ref, Descriptor layer, Digest diffId) throws IOException, OciException {
    try {
      LayerTrees.of(store).ensure(layer, diffId);
    } catch (StoreException e) {
      throw new OciException(ref.familiar() + ": cannot unpack layer " + layer.digest() + ": " + e.getMessage()
          + " (jbuild pull --no-unpack stores the image without unpacking it)", e);
    }
  }

  private void pullCompressedLayer(RegistryClient client, ImageReference ref, Descriptor layer, Digest diffId,
      MediaType.Compression c) throws IOException, RegistryException, StoreException, OciException {
    if (layer.size() <= 0) {
      throw new OciException("blob " + layer.digest() + " has size " + layer.size() + " in its descriptor");
    }
    try (BlobWriter writer = store.blobs().newWriter();
        DiffIdTee tee = new DiffIdTee(writer.stream(), c, layer.digest().shortHex())) {
      client.pullBlob(layer, tee, writer);
      Digest actual;
      try {
        actual = tee.finish();
      } catch (java.io.InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        throw new OciException(ref.familiar() + " layer " + layer.digest() + ": " + e.getMessage(), e);
      }
      checkDiffId(ref, layer, diffId, actual);
      writer.commit(layer.digest(), layer.size());
    }
  }

  private static void checkDiffId(ImageReference ref, Descriptor layer, Digest diffId, Digest actual)
      throws DigestMismatchException {
    if (!actual.equals(diffId)) {
      throw new DigestMismatchException(ref.familiar() + " layer " + layer.digest() + " (uncompressed)", diffId, actual);
    }
  }

  private void pullBlob(RegistryClient client, Descriptor blob) throws IOException, RegistryException, StoreException,
      OciException {
    if (store.blobs().has(blob.digest())) {
      return;
    }
    if (blob.size() <= 0) {
      throw new OciException("blob " + blob.digest() + " has size " + blob.size() + " in its descriptor");
    }
    try (BlobWriter writer = store.blobs().newWriter()) {
      client.pullBlob(blob, writer.stream(), writer);
      writer.commit(blob.digest(), blob.size());
    }
    sources.add(blob.digest(), client.registry(), client.repository());
  }

  /** The sources file is a hint for mounts: failing to write it costs a later upload, not this transfer. */
  private void saveSources() {
    try {
      sources.save();
    } catch (IOException e) {
      log.accept("could not record where the blobs came from (" + e.getMessage() + "); later pushes upload them");
    }
  }

  /**
   * Pushes a stored image to {@code dest} with gzip for locally built layers; see {@link #push(Descriptor,
   * ImageReference, MediaType.Compression)}.
   */
  public Digest push(Descriptor local, ImageReference dest)
      throws IOException, RegistryException, StoreException, OciException {
    return push(local, dest, MediaType.Compression.GZIP);
  }

  /**
   * Pushes a stored image (or index, with every child) to {@code dest} and returns the digest of what the
   * registry now holds under the tag. Uncompressed layers go out compressed with {@code compression} (zstd as
   * {@code application/vnd.oci.image.layer.v1.tar+zstd}), so that manifest differs from the stored one; layers
   * that arrived compressed go out as they are.
   */
  public Digest push(Descriptor local, ImageReference dest, MediaType.Compression compression)
      throws IOException, RegistryException, StoreException, OciException {
    Digest.prepareSha256(); // layers compressed on the way out are hashed as they go
    try (RegistryClient client = RegistryClient.create(settings, dest)) {
      String tag = dest.digest() != null ? dest.digest().toString() : dest.tag();
      ImagePusher pusher = new ImagePusher(store, settings, log, compression, sources);
      Digest pushed = MediaType.isIndex(local.mediaType())
          ? pusher.pushIndex(client, local, tag) : pusher.pushManifest(client, local, tag);
      saveSources();
      return pushed;
    }
  }
}

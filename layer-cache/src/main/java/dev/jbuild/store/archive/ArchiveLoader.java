package dev.jbuild.store.archive;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.ImageStore;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads every image of an archive into the store ({@code jbuild load}): docker-archive in the old layout ({@code
 * ID/layer.tar}, {@code ID.json}) and the docker 25+ one, OCI layouts in a tar with or without {@code
 * manifest.json}, plain or gzip/zstd/xz-compressed, from a file or a pipe, in any entry order.
 *
 * <p>One streaming pass puts every blob into the store (verified against its name when it has one); then each
 * image is checked whole (sizes, digests, the config's diff_ids against the decompressed layers) and only when
 * all are good are the names tagged. A bad archive therefore changes no tag; the blobs it did bring are verified
 * content that no tag references, which {@code prune} removes.
 *
 * <pre>{@code
 * List<ArchiveLoader.LoadedImage> loaded = ArchiveLoader.load(store, in, "archive app.tar", Platform.host());
 * }</pre>
 */
public final class ArchiveLoader {
  /** The uncompressed Docker layer media type (containerd uses it for docker-archive layers). */
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";

  private final Store store;
  private final BlobStore blobs;
  private final String source;
  private final Platform platform;
  private final Map<Digest, Digest> diffIds = new HashMap<>();
  private ScannedArchive archive;

  /**
   * One image stored by a load.
   *
   * @param names the names it was tagged with (familiar form); empty when the archive gave it none
   * @param manifest its manifest descriptor
   */
  public record LoadedImage(List<String> names, Descriptor manifest) {
    public LoadedImage {
      names = List.copyOf(names);
      Objects.requireNonNull(manifest, "manifest");
    }
  }

  private ArchiveLoader(Store store, String source, Platform platform) {
    this.store = store;
    this.blobs = store.blobs();
    this.source = source;
    this.platform = platform;
  }

  /**
   * Reads the archive from {@code in} (not closed) and stores and tags its images.
   *
   * @param source how errors name the archive, e.g. {@code archive app.tar}
   * @param platform which manifest to take from an index entry that is itself an index
   */
  public static List<LoadedImage> load(Store store, InputStream in, String source, Platform platform)
      throws StoreException {
    ArchiveLoader loader = new ArchiveLoader(store, source, platform);
    loader.archive = new ArchiveScanner(store.blobs(), source).scan(in);
    List<LoadedImage> images = loader.images();
    for (LoadedImage image : images) {
      for (String name : image.names()) {
        ImageStore.validateName(name);
      }
    }
    for (LoadedImage image : images) {
      if (image.names().isEmpty()) {
        store.images().addUntagged(image.manifest());
      }
      for (String name : image.names()) {
        store.images().tag(name, image.manifest());
      }
    }
    return images;
  }

  private List<LoadedImage> images() throws StoreException {
    byte[] index = archive.json.get("index.json");
    byte[] dockerManifest = archive.json.get("manifest.json");
    DockerManifest docker = dockerManifest == null ? null : DockerManifest.parse(dockerManifest, source);
    if (index != null) {
      checkLayoutVersion();
      return fromIndex(index, docker);
    }
    if (docker != null) {
      List<LoadedImage> out = new ArrayList<>();
      for (int i = 0; i < docker.images().size(); i++) {
        out.add(fromDocker(docker.images().get(i), i));
      }
      return out;
    }
    throw new ArchiveException(source + " is not an image archive: it has neither manifest.json nor index.json");
  }

  private void checkLayoutVersion() throws ArchiveException {
    byte[] layout = archive.json.get("oci-layout");
    if (layout == null) {
      return; // docker 24 wrote index.json without it now and then; the blobs say what they are anyway
    }
    try {
      var node = OciJson.readObject(layout, "oci-layout");
      if (!"1.0.0".equals(node.path("imageLayoutVersion").asText(null))) {
        throw new ArchiveException(source + ": oci-layout declares an unsupported imageLayoutVersion "
            + node.path("imageLayoutVersion"));
      }
    } catch (MalformedContentException e) {
      throw new ArchiveException(source + ": oci-layout: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- OCI layout (and docker 25+)

  private List<LoadedImage> fromIndex(byte[] bytes, DockerManifest docker) throws StoreException {
    ImageIndex index;
    try {
      index = OciJson.readIndex(bytes);
    } catch (MalformedContentException e) {
      throw new ArchiveException(source + ": index.json: " + e.getMessage(), e);
    }
    if (index.manifests().isEmpty()) {
      throw new ArchiveException(source + ": index.json lists no images");
    }
    List<LoadedImage> out = new ArrayList<>();
    int i = 0;
    for (Descriptor entry : index.manifests()) {
      String where = source + ": index.json manifests[" + i++ + "] " + entry.digest();
      Descriptor target = new Descriptor(entry.mediaType(), entry.digest(), entry.size());
      if (MediaType.isIndex(entry.mediaType())) {
        target = pickPlatform(target, where);
      } else if (!MediaType.isManifest(entry.mediaType())) {
        throw new ArchiveException(where + ": media type " + entry.mediaType() + " is not an image");
      }
      Manifest manifest = readManifest(target, where);
      verify(manifest, where);
      List<String> names = new ArrayList<>();
      String name = nameOf(entry, where);
      if (name != null) {
        names.add(name);
      } else if (docker != null) {
        names.addAll(docker.tagsForConfig(archive, manifest.config().digest()));
      }
      // docker save app@<index digest> names the platform manifest it writes so: such a name is not applied.
      names.removeIf(n -> pinsAnotherImage(n, entry.digest()));
      out.add(new LoadedImage(names, new Descriptor(manifest.mediaType(), target.digest(), target.size())));
    }
    return out;
  }

  private Descriptor pickPlatform(Descriptor indexDescriptor, String where) throws StoreException {
    requireBlob(indexDescriptor, where + " (index)");
    ImageIndex nested;
    try {
      nested = OciJson.readIndex(blobs.readAll(indexDescriptor.digest(), ArchiveScanner.MAX_JSON));
    } catch (MalformedContentException e) {
      throw new ArchiveException(where + ": " + e.getMessage(), e);
    }
    requireSameMediaType(nested.mediaType(), indexDescriptor, where);
    java.util.List<Descriptor> present = new java.util.ArrayList<>();
    for (Descriptor d : nested.manifests()) {
      if (MediaType.isManifest(d.mediaType()) && blobs.has(d.digest())) {
        present.add(d);
      }
    }
    java.util.Optional<Descriptor> chosen = platform.selectOrUnlabelled(present);
    if (chosen.isPresent()) {
      Descriptor d = chosen.get();
      return new Descriptor(d.mediaType(), d.digest(), d.size());
    }
    throw new ArchiveException(where + ": the archive holds no manifest for platform " + platform
        + " under this index");
  }

  /**
   * The name an index entry carries: containerd's full name if present (docker puts the bare tag in ref.name),
   * else ref.name, which skopeo and podman set to the name given at save.
   */
  private static String nameOf(Descriptor entry, String where) throws ArchiveException {
    String full = entry.annotations().get(ArchiveWriter.CONTAINERD_NAME);
    String ref = full != null ? full : entry.annotations().get(ArchiveWriter.REF_NAME);
    return ref == null ? null : familiar(ref, where);
  }

  static String familiar(String name, String where) throws ArchiveException {
    try {
      return ImageReference.parse(name).familiar();
    } catch (InvalidReferenceException e) {
      throw new ArchiveException(where + ": \"" + TarNames.shown(name) + "\" is not a valid image name", e);
    }
  }

  /**
   * The manifest {@code d} describes, which must call itself what {@code d} calls it (CASES M03): a reader that
   * trusts the descriptor and one that trusts the body would otherwise see two different images.
   */
  /**
   * A name that pins a digest ({@code app@sha256:...}) must pin this image's: the store resolves names as given, so
   * an archive naming its content {@code alpine@<the real alpine's digest>} would otherwise be what a build or run
   * pinned to that digest uses. docker load refuses any digest in RepoTags; in index.json one that is not the
   * entry's own is left out (the image loads under its other names, or untagged).
   */
  private static void requireOwnDigest(String name, Digest image, String where) throws ArchiveException {
    if (pinsAnotherImage(name, image)) {
      throw new ArchiveException(where + ": \"" + TarNames.shown(name) + "\" names another image than " + image);
    }
  }

  /** Whether {@code name} (already parsed once by {@link #familiar}) carries a digest other than {@code image}. */
  private static boolean pinsAnotherImage(String name, Digest image) {
    try {
      Digest pinned = ImageReference.parse(name).digest();
      return pinned != null && !pinned.equals(image);
    } catch (InvalidReferenceException e) {
      return true;
    }
  }

  private Manifest readManifest(Descriptor d, String where) throws StoreException {
    requireBlob(d, where + " (manifest)");
    Manifest manifest;
    try {
      manifest = OciJson.readManifest(blobs.readAll(d.digest(), ArchiveScanner.MAX_JSON));
    } catch (MalformedContentException e) {
      throw new ArchiveException(where + ": " + e.getMessage(), e);
    }
    requireSameMediaType(manifest.mediaType(), d, where);
    return manifest;
  }

  private static void requireSameMediaType(String body, Descriptor d, String where) throws ArchiveException {
    if (!body.equals(d.mediaType())) {
      throw new ArchiveException(where + ": the blob's mediaType " + body + " is not the " + d.mediaType()
          + " its descriptor says");
    }
  }

  private void verify(Manifest manifest, String where) throws StoreException {
    requireBlob(manifest.config(), where + " config");
    ImageConfig config;
    try {
      config = OciJson.readConfig(blobs.readAll(manifest.config().digest(), ArchiveScanner.MAX_JSON));
    } catch (MalformedContentException e) {
      throw new ArchiveException(where + " config " + manifest.config().digest() + ": " + e.getMessage(), e);
    }
    if (config.diffIds().size() != manifest.layers().size()) {
      throw new ArchiveException(where + ": " + manifest.layers().size() + " layers but "
          + config.diffIds().size() + " diff_ids in the config");
    }
    for (int i = 0; i < manifest.layers().size(); i++) {
      Descriptor layer = manifest.layers().get(i);
      String what = where + " layer " + i + " " + layer.digest();
      if (!MediaType.isLayer(layer.mediaType())) {
        throw new ArchiveException(what + ": media type " + layer.mediaType() + " is not a layer");
      }
      requireBlob(layer, what);
      checkDiffId(layer.digest(), config.diffIds().get(i), what);
    }
  }

  private void requireBlob(Descriptor d, String what) throws StoreException {
    if (!blobs.has(d.digest())) {
      throw new ArchiveException(what + ": blob " + d.digest() + " is missing from the archive");
    }
    long size = blobs.size(d.digest());
    if (size != d.size()) {
      throw new ArchiveException(what + ": blob " + d.digest() + " has " + size + " bytes but its descriptor says "
          + d.size());
    }
  }

  private void checkDiffId(Digest blob, Digest expected, String what) throws StoreException {
    if (blob.equals(expected)) {
      return; // an uncompressed layer: its digest, verified on ingest, is its diffID
    }
    Digest actual = diffIds.get(blob);
    if (actual == null) {
      actual = LayerDigests.diffId(blobs, blob);
      diffIds.put(blob, actual);
    }
    if (!actual.equals(expected)) {
      throw new ArchiveException(what + ": uncompressed content hashes to " + actual + " but the config's diff_id"
          + " is " + expected);
    }
  }

  // ---------------------------------------------------------------- docker-archive manifest.json only

  private LoadedImage fromDocker(DockerManifest.Entry entry, int i) throws StoreException {
    String where = source + ": manifest.json[" + i + "]";
    String configKey = archive.resolve(TarNames.clean(entry.config(), where));
    byte[] configBytes = archive.json.get(configKey);
    if (configBytes == null) {
      ScannedArchive.StoredFile f = archive.files.get(configKey);
      if (f == null) {
        throw new ArchiveException(where + ": Config " + TarNames.shown(entry.config()) + " is not in the archive");
      }
      configBytes = blobs.readAll(f.digest(), ArchiveScanner.MAX_JSON);
    }
    ImageConfig config;
    try {
      config = OciJson.readConfig(configBytes);
    } catch (MalformedContentException e) {
      throw new ArchiveException(where + ": Config " + TarNames.shown(entry.config()) + ": " + e.getMessage(), e);
    }
    if (config.diffIds().size() != entry.layers().size()) {
      throw new ArchiveException(where + ": " + entry.layers().size() + " Layers but " + config.diffIds().size()
          + " diff_ids in the config");
    }
    List<Descriptor> layers = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    boolean oci = false;
    for (int j = 0; j < entry.layers().size(); j++) {
      String listed = entry.layers().get(j);
      String what = where + " Layers[" + j + "] " + TarNames.shown(listed);
      String key = archive.resolve(TarNames.clean(listed, what));
      ScannedArchive.StoredFile f = archive.files.get(key);
      if (f == null) {
        throw new ArchiveException(what + " is not in the archive");
      }
      if (keys.contains(key) && !config.diffIds().get(keys.indexOf(key)).equals(config.diffIds().get(j))) {
        throw new ArchiveException(what + " is listed twice, for two different diff_ids");
      }
      keys.add(key);
      checkDiffId(f.digest(), config.diffIds().get(j), what);
      String mediaType = switch (LayerDigests.compression(blobs, f.digest())) {
        case NONE -> DOCKER_LAYER;
        case GZIP -> MediaType.DOCKER_LAYER_GZIP;
        case ZSTD -> MediaType.OCI_LAYER_ZSTD;
        case XZ -> throw new ArchiveException(what + " is xz-compressed, which no image manifest can describe");
      };
      oci |= mediaType.equals(MediaType.OCI_LAYER_ZSTD);
      layers.add(new Descriptor(mediaType, f.digest(), f.size()));
    }
    if (oci) { // Docker manifests have no zstd layer type: describe the whole image in OCI terms then
      layers.replaceAll(l -> l.withMediaType(l.mediaType().equals(DOCKER_LAYER) ? MediaType.OCI_LAYER
          : l.mediaType().equals(MediaType.DOCKER_LAYER_GZIP) ? MediaType.OCI_LAYER_GZIP : l.mediaType()));
    }
    Descriptor configBlob = blobs.put(oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG, configBytes);
    String manifestType = oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST;
    Manifest manifest = new Manifest(manifestType, null, configBlob, layers, null, null);
    Descriptor stored = blobs.put(manifestType, OciJson.write(manifest));
    List<String> names = new ArrayList<>();
    for (String tag : entry.repoTags()) {
      String name = familiar(tag, where + " RepoTags");
      requireOwnDigest(name, stored.digest(), where + " RepoTags");
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    return new LoadedImage(names, stored);
  }
}

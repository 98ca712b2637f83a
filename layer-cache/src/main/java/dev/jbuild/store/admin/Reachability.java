package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.CorruptStoreException;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a set of roots keeps alive: blobs (present or not) and layer diffIDs. A root or child that is absent is
 * skipped (a pull keeps only one platform of an index); one that is present but unreadable stops the walk with a
 * {@link CorruptStoreException}, because what it references is unknown and deleting on a guess loses data.
 */
final class Reachability {
  static final long MAX_JSON = 4L << 20;
  private static final int MAX_DEPTH = 8;

  /** In walk order (manifest, config, layers, ...), so removals can be reported like docker reports them. */
  final Set<Digest> blobs = new LinkedHashSet<>();
  final Set<Digest> diffIds = new LinkedHashSet<>();
  private final Store store;

  private Reachability(Store store) {
    this.store = store;
  }

  /** Everything {@code roots} reach, including compressed copies of reachable layers. */
  static Reachability of(Store store, Collection<Descriptor> roots) throws StoreException {
    return of(store, roots, List.of(), Set.of());
  }

  /**
   * Everything {@code roots}, the manifests (or indexes) {@code pinnedImages} and the blobs {@code pinnedBlobs}
   * reach, including compressed copies of reachable layers.
   */
  static Reachability of(
      Store store, Collection<Descriptor> roots, Collection<Digest> pinnedImages, Collection<Digest> pinnedBlobs)
      throws StoreException {
    Reachability r = new Reachability(store);
    for (Descriptor root : roots) {
      r.visit(root, 0);
    }
    for (Digest image : pinnedImages) {
      if (store.blobs().has(image) && !r.blobs.contains(image)) {
        byte[] bytes = store.blobs().readAll(image, MAX_JSON);
        String mediaType;
        try {
          mediaType = OciJson.detectMediaType(bytes);
        } catch (MalformedContentException e) {
          throw new CorruptStoreException("image " + image + " in use is malformed (" + e.getMessage() + ")", e);
        }
        r.visit(new Descriptor(mediaType, image, bytes.length), 0);
      }
    }
    r.blobs.addAll(pinnedBlobs);
    for (Digest diffId : r.diffIds) {
      for (MediaType.Compression c : new MediaType.Compression[] {MediaType.Compression.GZIP, MediaType.Compression.ZSTD}) {
        Optional<Descriptor> copy = store.compression().lookup(diffId, c);
        copy.ifPresent(d -> r.blobs.add(d.digest()));
      }
    }
    return r;
  }

  private void visit(Descriptor d, int depth) throws StoreException {
    if (!blobs.add(d.digest()) || !store.blobs().has(d.digest())) {
      return;
    }
    if (depth > MAX_DEPTH) {
      throw new CorruptStoreException("blob " + d.digest() + " is nested more than " + MAX_DEPTH + " indexes deep");
    }
    if (MediaType.isIndex(d.mediaType())) {
      ImageIndex index = parse(d, "index", bytes -> OciJson.readIndex(bytes));
      for (Descriptor child : index.manifests()) {
        visit(child, depth + 1);
      }
      if (index.subject() != null) {
        visit(index.subject(), depth + 1);
      }
    } else if (MediaType.isManifest(d.mediaType())) {
      Manifest m = parse(d, "manifest", bytes -> OciJson.readManifest(bytes));
      blobs.add(m.config().digest());
      if (isImageConfig(m.config().mediaType()) && store.blobs().has(m.config().digest())) {
        ImageConfig config = parse(m.config(), "image config", bytes -> OciJson.readConfig(bytes));
        diffIds.addAll(config.diffIds());
      }
      for (Descriptor layer : m.layers()) {
        blobs.add(layer.digest());
      }
      if (m.subject() != null) {
        visit(m.subject(), depth + 1);
      }
    }
  }

  static boolean isImageConfig(String mediaType) {
    return MediaType.OCI_CONFIG.equals(mediaType) || MediaType.DOCKER_CONFIG.equals(mediaType);
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws MalformedContentException;
  }

  private <T> T parse(Descriptor d, String what, Parser<T> parser) throws StoreException {
    byte[] bytes = store.blobs().readAll(d.digest(), MAX_JSON);
    try {
      return parser.parse(bytes);
    } catch (MalformedContentException e) {
      throw new CorruptStoreException(what + " blob " + d.digest() + " is malformed (" + e.getMessage() + ")", e);
    }
  }
}

package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cross-checks one image of index.json as go-containerregistry's {@code validate} does: every referenced blob is
 * present, sound and of the size its descriptor says; manifests, indexes and configs parse strictly; the config
 * has one diffID per layer and each layer decompresses to its diffID. Results are remembered per digest.
 */
final class ImageVerifier {
  private static final int MAX_DEPTH = 8;

  private final Store store;
  private final Set<Digest> badBlobs;
  private final LayerDigests digests;
  private final Map<Digest, List<String>> verified = new HashMap<>();

  /** {@code badBlobs}: blobs found corrupt (or deleted as such) by the blob pass. */
  ImageVerifier(Store store, Set<Digest> badBlobs, LayerDigests digests) {
    this.store = store;
    this.badBlobs = badBlobs;
    this.digests = digests;
  }

  /** What is wrong with the image {@code root} references; empty when it is sound. */
  List<String> verify(Descriptor root) throws StoreException {
    List<String> problems = new ArrayList<>();
    visit(root, 0, problems);
    return problems;
  }

  private void visit(Descriptor d, int depth, List<String> out) throws StoreException {
    List<String> known = verified.get(d.digest());
    if (known != null) {
      out.addAll(known);
      return;
    }
    List<String> problems = new ArrayList<>();
    String what = MediaType.isIndex(d.mediaType()) ? "index" : "manifest";
    if (present(d, what, problems)) {
      if (depth > MAX_DEPTH) {
        problems.add(what + " " + d.digest() + " is nested more than " + MAX_DEPTH + " indexes deep");
      } else if (MediaType.isIndex(d.mediaType())) {
        index(d, depth, problems);
      } else if (MediaType.isManifest(d.mediaType())) {
        manifest(d, problems);
      }
    }
    verified.put(d.digest(), problems);
    out.addAll(problems);
  }

  private void index(Descriptor d, int depth, List<String> problems) throws StoreException {
    ImageIndex index;
    try {
      index = OciJson.readIndex(store.blobs().readAll(d.digest(), Reachability.MAX_JSON));
    } catch (MalformedContentException | StoreException e) {
      problems.add("index " + d.digest() + " is unreadable: " + e.getMessage());
      return;
    }
    int present = 0;
    for (Descriptor child : index.manifests()) {
      // A pull keeps only the host's platform of an index: absent children are normal, present ones must be sound.
      if (store.blobs().has(child.digest()) || badBlobs.contains(child.digest())) {
        present++;
        visit(child, depth + 1, problems);
      }
    }
    if (present == 0) {
      problems.add("index " + d.digest() + " has none of its " + index.manifests().size() + " manifests");
    }
  }

  private void manifest(Descriptor d, List<String> problems) throws StoreException {
    Manifest m;
    try {
      m = OciJson.readManifest(store.blobs().readAll(d.digest(), Reachability.MAX_JSON));
    } catch (MalformedContentException | StoreException e) {
      problems.add("manifest " + d.digest() + " is unreadable: " + e.getMessage());
      return;
    }
    ImageConfig config = null;
    if (present(m.config(), "config", problems) && Reachability.isImageConfig(m.config().mediaType())) {
      try {
        config = OciJson.readConfig(store.blobs().readAll(m.config().digest(), Reachability.MAX_JSON));
      } catch (MalformedContentException | StoreException e) {
        problems.add("config " + m.config().digest() + " is unreadable: " + e.getMessage());
      }
    }
    if (config != null && config.diffIds().size() != m.layers().size()) {
      problems.add("manifest " + d.digest() + " has " + m.layers().size() + " layers but its config has "
          + config.diffIds().size() + " diff_ids");
      config = null;
    }
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor layer = m.layers().get(i);
      if (!layer.urls().isEmpty() && !store.blobs().has(layer.digest()) && !badBlobs.contains(layer.digest())) {
        continue; // a foreign layer: fetched from its URLs, never stored
      }
      String what = "layer " + (i + 1);
      if (present(layer, what, problems) && config != null) {
        diffId(layer, what, config.diffIds().get(i), problems);
      }
    }
  }

  private void diffId(Descriptor layer, String what, Digest expected, List<String> problems) {
    if (!MediaType.isLayer(layer.mediaType())) {
      return;
    }
    try {
      Digest actual = digests.diffId(layer.digest(), store.blobs().path(layer.digest()),
          MediaType.layerCompression(layer.mediaType()));
      if (!actual.equals(expected)) {
        problems.add(what + " " + layer.digest() + " uncompresses to " + actual + " but the config says diff_id "
            + expected);
      }
    } catch (IOException e) {
      problems.add(what + " " + layer.digest() + " does not decompress as " + layer.mediaType() + ": "
          + e.getMessage());
    }
  }

  /** Whether the blob is there and sound, with the descriptor's size; adds the problem otherwise. */
  private boolean present(Descriptor d, String what, List<String> problems) throws StoreException {
    if (badBlobs.contains(d.digest())) {
      problems.add(what + " " + d.digest() + " is corrupt");
      return false;
    }
    if (!store.blobs().has(d.digest())) {
      problems.add(what + " " + d.digest() + " is missing");
      return false;
    }
    long size = store.blobs().size(d.digest());
    if (size != d.size()) {
      problems.add(what + " " + d.digest() + " has " + size + " bytes but its descriptor says " + d.size());
      return false;
    }
    return true;
  }
}

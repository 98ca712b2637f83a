package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An image's history as {@code docker history} shows it: one row per history entry of its config, newest first;
 * entries marked {@code empty_layer} have size 0, the others take the manifest's layers in order. Layers the
 * history does not account for (an image written without history) get rows of their own.
 */
public final class ImageHistory {
  private ImageHistory() {}

  /**
   * One row.
   *
   * @param image the image digest on the newest row (as {@code jbuild images} shows IDs), null on the others
   * @param created when the step ran, or null when unknown
   * @param createdBy the instruction, or "" when unknown
   * @param size the layer's size as stored (compressed for pulled layers), 0 for an empty layer
   * @param comment the entry's comment, or ""
   * @param layer the layer's blob digest, or null for an empty layer
   */
  public record Row(Digest image, Instant created, String createdBy, long size, String comment, Digest layer) {
    public boolean emptyLayer() {
      return layer == null;
    }
  }

  /** The history of {@code image} (an index is resolved for {@code platform}); {@code name} is for errors. */
  public static List<Row> of(Store store, Descriptor image, Platform platform, String name)
      throws StoreException, OciException {
    StoredImages.StoredImage stored = StoredImages.read(store.blobs(), image, platform, name);
    ImageConfig config = stored.config();
    List<Descriptor> layers = stored.manifest().layers();
    List<Row> rows = new ArrayList<>();
    int next = 0;
    for (ImageConfig.HistoryEntry h : config.history()) {
      String by = h.createdBy() == null ? "" : h.createdBy();
      String comment = h.comment() == null ? "" : h.comment();
      if (h.emptyLayer() || next >= layers.size()) {
        rows.add(new Row(null, h.created(), by, 0, comment, null));
      } else {
        Descriptor layer = layers.get(next++);
        rows.add(new Row(null, h.created(), by, layer.size(), comment, layer.digest()));
      }
    }
    for (; next < layers.size(); next++) {
      Descriptor layer = layers.get(next);
      rows.add(new Row(null, null, "", layer.size(), "", layer.digest()));
    }
    Collections.reverse(rows);
    if (!rows.isEmpty()) {
      Row top = rows.get(0);
      rows.set(0, new Row(image.digest(), top.created(), top.createdBy(), top.size(), top.comment(), top.layer()));
    }
    return rows;
  }
}

package dev.jbuild.runtime;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages.StoredImage;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * {@code commit}: a container's writable layer as a new image. The upper dir becomes one layer (overlay whiteouts as
 * OCI whiteouts) holding exactly what the container changed: the mount points runc created and that stayed empty are
 * left out, as for a RUN step. The new config is the image's with the layer, a history entry and {@code changes}.
 */
public final class ContainerCommit {
  private ContainerCommit() {}

  /**
   * Writes the image and returns its manifest descriptor; the caller tags it.
   *
   * @param config the image config to use (the original one with {@code --change}s applied), or null to keep it
   * @param comment the history comment ({@code -m}), or null
   * @param author the author ({@code -a}), or null
   */
  public static Descriptor commit(Store store, ContainerRecord record, ContainerConfig config, String comment,
      String author) throws ContainerException {
    Rootfs rootfs = Rootfs.of(store);
    StoredImage image = rootfs.read(record.imageDescriptor(), record.image());
    Path upper = ContainerStore.of(store).dir(record.id()).resolve("upper");
    try {
      List<LayerEntry> changes = Files.isDirectory(upper) ? LayerTarWriter.fromOverlayUpperdir(upper) : List.of();
      changes = Containers.withoutEmptyMountPoints(changes, new HashSet<>(record.state().mountPoints()),
          record.state().mountParents());
      Layer layer = LayerBlobs.writeLayer(store.blobs(), new ArrayList<>(changes), null);
      Instant now = Instant.now();
      String createdBy = String.join(" ", record.options().args());
      ImageConfig next = image.config()
          .withConfig(config != null ? config : image.config().config())
          .withLayer(layer.diffId(), new ImageConfig.HistoryEntry(now, createdBy, author, comment, false))
          .withCreated(now);
      if (author != null) {
        next = next.withAuthor(author);
      }
      Descriptor configBlob = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(next));
      List<Descriptor> layers = new ArrayList<>(image.manifest().layers());
      layers.add(layer.blob());
      return store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(configBlob, layers)));
    } catch (IOException | StoreException e) {
      throw new ContainerException("cannot commit container " + record.name() + ": " + e.getMessage(), e);
    }
  }
}

package dev.jbuild.store.admin;

import dev.jbuild.oci.Digest;
import java.util.List;

/**
 * What {@link ImageRemover} did, as {@code docker rmi} reports it.
 *
 * @param untagged the names removed from index.json
 * @param deleted the blobs deleted, manifest first, then config and layers in order
 * @param bytesFreed bytes of blobs and snapshots deleted
 * @param keptBecause why the image's blobs were kept although it lost its last name (a running container uses
 *     it, or an unrelated image is unreadable so sharing cannot be ruled out), or null
 */
public record Removal(List<String> untagged, List<Digest> deleted, long bytesFreed, String keptBecause) {
  public Removal {
    untagged = List.copyOf(untagged);
    deleted = List.copyOf(deleted);
  }
}

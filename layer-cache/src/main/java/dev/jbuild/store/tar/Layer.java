package dev.jbuild.store.tar;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import java.util.Objects;

/**
 * A layer written to the store.
 *
 * @param blob the stored uncompressed tar (media type {@code application/vnd.oci.image.layer.v1.tar})
 * @param diffId the layer's identity: the sha256 of the uncompressed tar, equal to {@code blob.digest()}
 */
public record Layer(Descriptor blob, Digest diffId) {
  public Layer {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(diffId, "diffId");
  }
}

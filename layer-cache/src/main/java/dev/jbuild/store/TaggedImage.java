package dev.jbuild.store;

import dev.jbuild.oci.Descriptor;
import java.util.Objects;

/**
 * One tag of the image store.
 *
 * @param name the tag, as stored in {@code org.opencontainers.image.ref.name}
 * @param manifest the manifest (or index) descriptor, without the ref.name annotation
 */
public record TaggedImage(String name, Descriptor manifest) {
  public TaggedImage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(manifest, "manifest");
  }
}

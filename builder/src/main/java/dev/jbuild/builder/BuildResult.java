package dev.jbuild.builder;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import java.util.List;

/**
 * A finished build.
 *
 * @param manifest the image manifest in the local store
 * @param configDigest the config blob's digest, which docker calls the image ID
 * @param tags the names the image was given
 */
public record BuildResult(Descriptor manifest, Digest configDigest, List<String> tags) {
  public BuildResult {
    tags = List.copyOf(tags);
  }
}

package dev.jbuild.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An image manifest (OCI or Docker schema 2): a config blob and ordered layers.
 *
 * @param mediaType {@link MediaType#OCI_MANIFEST} or {@link MediaType#DOCKER_MANIFEST}
 * @param artifactType set only on artifact manifests
 * @param subject the manifest this one refers to (referrers API), or null
 */
public record Manifest(
    String mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations) {

  public Manifest {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    annotations =
        annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  /** An OCI image manifest with no annotations. */
  public static Manifest oci(Descriptor config, List<Descriptor> layers) {
    return new Manifest(MediaType.OCI_MANIFEST, null, config, layers, null, null);
  }
}

package dev.jbuild.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** An image index (OCI) or manifest list (Docker): one manifest per platform, or the tags of a layout. */
public record ImageIndex(
    String mediaType, String artifactType, List<Descriptor> manifests, Descriptor subject, Map<String, String> annotations) {

  public ImageIndex {
    Objects.requireNonNull(mediaType, "mediaType");
    manifests = List.copyOf(manifests);
    annotations =
        annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  public static ImageIndex oci(List<Descriptor> manifests) {
    return new ImageIndex(MediaType.OCI_INDEX, null, manifests, null, null);
  }
}

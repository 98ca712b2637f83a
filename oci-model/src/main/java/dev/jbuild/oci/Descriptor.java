package dev.jbuild.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A content descriptor: what a blob is, its digest and its exact size.
 *
 * @param mediaType the blob's media type
 * @param digest its digest over the raw bytes
 * @param size its size in bytes; never negative
 * @param annotations sorted, so the JSON is reproducible
 * @param platform set on the entries of an index
 * @param urls foreign-layer URLs; never fetched by default
 * @param artifactType set on artifact manifests' index entries
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    Map<String, String> annotations,
    Platform platform,
    List<String> urls,
    String artifactType) {

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + digest);
    }
    annotations =
        annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
    urls = urls == null ? List.of() : List.copyOf(urls);
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, null, null, null, null);
  }

  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, newAnnotations, platform, urls, artifactType);
  }

  public Descriptor withPlatform(Platform newPlatform) {
    return new Descriptor(mediaType, digest, size, annotations, newPlatform, urls, artifactType);
  }

  public Descriptor withMediaType(String newMediaType) {
    return new Descriptor(newMediaType, digest, size, annotations, platform, urls, artifactType);
  }
}

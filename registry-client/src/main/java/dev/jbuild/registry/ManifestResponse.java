package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A manifest or index exactly as the registry sent it.
 *
 * @param bytes the raw body; parse exactly these bytes (they are what {@code digest} covers)
 * @param mediaType the media type, checked to agree between {@code Content-Type} and the body
 * @param digest sha256 computed locally over {@code bytes}, never taken from a header
 */
public record ManifestResponse(byte[] bytes, String mediaType, Digest digest) {
  public ManifestResponse {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public long size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ManifestResponse r
        && Arrays.equals(r.bytes, bytes) && r.mediaType.equals(mediaType) && r.digest.equals(digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(bytes), mediaType, digest);
  }

  @Override
  public String toString() {
    return "ManifestResponse[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
  }
}

package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.InvalidDigestException;
import java.util.regex.Pattern;

/** A validated tag or digest, safe to put in a URL path. */
record ManifestReference(String tag, Digest digest) {
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  static ManifestReference parse(String tagOrDigest) {
    if (tagOrDigest == null) {
      throw new IllegalArgumentException("missing tag or digest");
    }
    if (tagOrDigest.indexOf(':') >= 0) {
      try {
        return new ManifestReference(null, Digest.parse(tagOrDigest));
      } catch (InvalidDigestException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    if (!TAG.matcher(tagOrDigest).matches()) {
      throw new IllegalArgumentException(
          "invalid tag \"" + tagOrDigest + "\" (letters, digits, _ . - and at most 128 characters)");
    }
    return new ManifestReference(tagOrDigest, null);
  }

  @Override
  public String toString() {
    return digest != null ? digest.toString() : tag;
  }
}

package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import java.util.List;

/** The blob does not exist in the repository (404 / {@code BLOB_UNKNOWN}). */
public class BlobNotFoundException extends RegistryException {
  private static final long serialVersionUID = 1L;

  private final transient Digest digest;

  public BlobNotFoundException(
      String message, String registry, String repository, Digest digest, int statusCode, List<String> ociErrorCodes) {
    super(message, registry, repository, statusCode, ociErrorCodes, null);
    this.digest = digest;
  }

  public Digest digest() {
    return digest;
  }
}

package dev.jbuild.registry;

import java.util.List;

/** The tag or digest does not exist in the repository (404 / {@code MANIFEST_UNKNOWN}). */
public class ManifestNotFoundException extends RegistryException {
  private static final long serialVersionUID = 1L;

  private final String reference;

  public ManifestNotFoundException(
      String message, String registry, String repository, String reference, int statusCode, List<String> ociErrorCodes) {
    super(message, registry, repository, statusCode, ociErrorCodes, null);
    this.reference = reference;
  }

  /** The tag or digest that was asked for. */
  public String reference() {
    return reference;
  }
}

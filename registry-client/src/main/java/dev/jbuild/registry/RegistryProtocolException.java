package dev.jbuild.registry;

import java.util.List;

/** The registry answered something that cannot be trusted or understood: a digest or size mismatch (the cause is then a {@link dev.jbuild.oci.DigestMismatchException}), malformed content (cause {@link dev.jbuild.oci.MalformedContentException}), a bad redirect, or an unexpected status. */
public class RegistryProtocolException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryProtocolException(
      String message, String registry, String repository, int statusCode, List<String> ociErrorCodes, Throwable cause) {
    super(message, registry, repository, statusCode, ociErrorCodes, cause);
  }

  public RegistryProtocolException(String message, String registry, String repository, Throwable cause) {
    super(message, registry, repository, cause);
  }
}

package dev.jbuild.registry;

import java.util.List;

/** The registry could not be reached: connection refused, unknown host, TLS failure or timeouts. The message names the host and port. */
public class RegistryUnreachableException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryUnreachableException(
      String message, String registry, String repository, int statusCode, List<String> ociErrorCodes, Throwable cause) {
    super(message, registry, repository, statusCode, ociErrorCodes, cause);
  }

  public RegistryUnreachableException(String message, String registry, String repository, Throwable cause) {
    super(message, registry, repository, cause);
  }
}

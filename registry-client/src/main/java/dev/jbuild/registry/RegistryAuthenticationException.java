package dev.jbuild.registry;

import java.util.List;

/** The registry (or its token service) refused the request: no credentials, wrong credentials, or no access (401/403). */
public class RegistryAuthenticationException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryAuthenticationException(
      String message, String registry, String repository, int statusCode, List<String> ociErrorCodes, Throwable cause) {
    super(message, registry, repository, statusCode, ociErrorCodes, cause);
  }

  public RegistryAuthenticationException(String message, String registry, String repository, Throwable cause) {
    super(message, registry, repository, cause);
  }
}

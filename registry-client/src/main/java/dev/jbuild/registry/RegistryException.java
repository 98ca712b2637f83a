package dev.jbuild.registry;

import java.util.List;

/**
 * Root of the checked exceptions raised by {@link RegistryClient}. The message always names the registry and
 * the repository, never credentials or tokens, for example {@code registry localhost:5000 returned 401
 * UNAUTHORIZED for hello: authentication required}.
 */
public class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String registry;
  private final String repository;
  private final int statusCode;
  private final List<String> ociErrorCodes;

  public RegistryException(
      String message, String registry, String repository, int statusCode, List<String> ociErrorCodes, Throwable cause) {
    super(message, cause);
    this.registry = registry;
    this.repository = repository;
    this.statusCode = statusCode;
    this.ociErrorCodes = ociErrorCodes == null ? List.of() : List.copyOf(ociErrorCodes);
  }

  public RegistryException(String message, String registry, String repository, Throwable cause) {
    this(message, registry, repository, -1, List.of(), cause);
  }

  /** The registry as the user named it, e.g. {@code docker.io} or {@code localhost:5000}. */
  public String registry() {
    return registry;
  }

  public String repository() {
    return repository;
  }

  /** The HTTP status of the failing response, or -1 when there was none (network error, verification). */
  public int statusCode() {
    return statusCode;
  }

  /** The {@code code} fields of the registry's OCI error body, e.g. {@code [MANIFEST_UNKNOWN]}; maybe empty. */
  public List<String> ociErrorCodes() {
    return ociErrorCodes;
  }
}

package dev.jbuild.oci;

/** Root of the checked exceptions raised when OCI data from outside (users, files, registries) is invalid. */
public class OciException extends Exception {
  private static final long serialVersionUID = 1L;

  public OciException(String message) {
    super(message);
  }

  public OciException(String message, Throwable cause) {
    super(message, cause);
  }
}

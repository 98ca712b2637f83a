package dev.jbuild.oci;

/** A digest string that is not {@code sha256:<64 lowercase hex>} or {@code sha512:<128 lowercase hex>}. */
public final class InvalidDigestException extends OciException {
  private static final long serialVersionUID = 1L;

  public InvalidDigestException(String message) {
    super(message);
  }
}

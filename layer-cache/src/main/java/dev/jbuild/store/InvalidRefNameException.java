package dev.jbuild.store;

/** A tag name that the OCI image layout's {@code org.opencontainers.image.ref.name} grammar does not allow. */
public final class InvalidRefNameException extends StoreException {
  private static final long serialVersionUID = 1L;

  public InvalidRefNameException(String message) {
    super(message);
  }
}

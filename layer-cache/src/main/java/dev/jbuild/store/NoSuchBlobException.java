package dev.jbuild.store;

import dev.jbuild.oci.Digest;

/** The blob asked for is not in the store. */
public final class NoSuchBlobException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final transient Digest digest;

  public NoSuchBlobException(Digest digest) {
    super("blob " + digest + " is not in the store");
    this.digest = digest;
  }

  public Digest digest() {
    return digest;
  }
}

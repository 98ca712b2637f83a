package dev.jbuild.store.admin;

import dev.jbuild.store.StoreException;

/** No index.json entry has the name, digest or ID asked for. */
public final class NoSuchImageException extends StoreException {
  private static final long serialVersionUID = 1L;

  public NoSuchImageException(String message) {
    super(message);
  }
}

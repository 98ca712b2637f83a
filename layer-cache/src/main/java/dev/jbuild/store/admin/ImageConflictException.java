package dev.jbuild.store.admin;

import dev.jbuild.store.StoreException;

/**
 * An image cannot be removed as asked: other names reference it (and {@code force} was not given), or a running
 * container uses it. The message says which, in docker's words.
 */
public final class ImageConflictException extends StoreException {
  private static final long serialVersionUID = 1L;

  public ImageConflictException(String message) {
    super(message);
  }
}

package dev.jbuild.store.archive;

import dev.jbuild.store.StoreException;

/** An archive or rootfs tarball that cannot be read, or that contradicts itself; the message names the entry. */
public class ArchiveException extends StoreException {
  private static final long serialVersionUID = 1L;

  public ArchiveException(String message) {
    super(message);
  }

  public ArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}

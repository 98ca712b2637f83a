package dev.jbuild.store.apply;

import dev.jbuild.store.StoreException;

/** A layer that cannot be applied safely; the message names the entry at fault. */
public class LayerApplyException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String entry;

  public LayerApplyException(String entry, String message) {
    super(entry == null ? message : "layer entry \"" + entry + "\": " + message);
    this.entry = entry;
  }

  public LayerApplyException(String entry, String message, Throwable cause) {
    super(entry == null ? message : "layer entry \"" + entry + "\": " + message, cause);
    this.entry = entry;
  }

  /** The tar entry name at fault as written in the archive, or null for archive-level errors. */
  public String entry() {
    return entry;
  }
}

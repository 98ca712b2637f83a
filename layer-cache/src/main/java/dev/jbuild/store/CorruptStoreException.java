package dev.jbuild.store;

/**
 * Something in the store is not what it must be (a malformed index.json, a blob whose bytes no longer match its
 * name). The message always says which file and what to do about it.
 */
public final class CorruptStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** What the user can run to fix it; appended to every message so nobody has to guess. */
  public static final String REMEDY = "run `jbuild system check --repair`";

  public CorruptStoreException(String message) {
    super(message + "; " + REMEDY);
  }

  public CorruptStoreException(String message, Throwable cause) {
    super(message + "; " + REMEDY, cause);
  }
}

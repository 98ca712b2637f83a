package dev.jbuild.oci;

/** Content whose digest or size is not the one that was promised. Nothing that raises this is ever stored. */
public final class DigestMismatchException extends OciException {
  private static final long serialVersionUID = 1L;

  private final Digest expected;
  private final Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(what + ": digest mismatch: expected " + expected + ", got " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public DigestMismatchException(String what, long expectedSize, long actualSize, Digest expected) {
    super(what + ": size mismatch for " + expected + ": expected " + expectedSize + " bytes, got " + actualSize);
    this.expected = expected;
    this.actual = null;
  }

  public Digest expected() {
    return expected;
  }

  /** The digest actually computed, or null when the size was wrong. */
  public Digest actual() {
    return actual;
  }
}

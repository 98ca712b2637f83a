package dev.jbuild.oci;

/** An image reference that does not follow the distribution reference grammar. */
public final class InvalidReferenceException extends OciException {
  private static final long serialVersionUID = 1L;

  private final String reference;

  public InvalidReferenceException(String reference, String why) {
    super("invalid image reference \"" + reference + "\": " + why);
    this.reference = reference;
  }

  public String reference() {
    return reference;
  }
}

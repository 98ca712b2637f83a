package dev.jbuild.oci;

/** JSON content (manifest, index, config) that cannot be trusted: unparsable, ambiguous or self-contradictory. */
public final class MalformedContentException extends OciException {
  private static final long serialVersionUID = 1L;

  public MalformedContentException(String message) {
    super(message);
  }

  public MalformedContentException(String message, Throwable cause) {
    super(message, cause);
  }
}

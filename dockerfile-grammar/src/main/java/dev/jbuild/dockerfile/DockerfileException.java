package dev.jbuild.dockerfile;

/** Root of the checked exceptions this module throws: a Dockerfile that cannot be used. */
public class DockerfileException extends Exception {
  private static final long serialVersionUID = 1L;

  public DockerfileException(String message) {
    super(message);
  }

  public DockerfileException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.jbuild.builder;

/**
 * A build that cannot go on. The message is meant for the user as it is: it names the Dockerfile and line,
 * the context path or the image reference at fault.
 */
public class BuildException extends Exception {
  private static final long serialVersionUID = 1L;

  public BuildException(String message) {
    super(message);
  }

  public BuildException(String message, Throwable cause) {
    super(message, cause);
  }
}

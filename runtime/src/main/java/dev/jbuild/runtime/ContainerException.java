package dev.jbuild.runtime;

/** The root of the runtime's checked exceptions: a container could not be set up, run or cleaned up. */
public class ContainerException extends Exception {
  private static final long serialVersionUID = 1L;

  public ContainerException(String message) {
    super(message);
  }

  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}

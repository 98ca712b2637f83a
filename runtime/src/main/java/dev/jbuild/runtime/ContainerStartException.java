package dev.jbuild.runtime;

/** A container's process could not be started; {@link #exitCode()} is docker's code for it (125, 126 or 127). */
public class ContainerStartException extends ContainerException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public ContainerStartException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

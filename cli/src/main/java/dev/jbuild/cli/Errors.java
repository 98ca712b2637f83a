package dev.jbuild.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns exceptions into one short line on stderr and an exit code: 1 for a failed operation (docker's code
 * for a failed build or push), 2 for bad usage (picocli's own), and the stack trace only with {@code --debug}.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler, CommandLine.IExitCodeExceptionMapper {
  static final int FAILED = 1;

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    err.println("jbuild: error: " + message);
    boolean debug = parsed.hasMatchedOption("--debug")
        || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--debug"));
    if (debug || isBug(e)) {
      e.printStackTrace(err);
    }
    err.flush();
    return getExitCode(e);
  }

  /** Unchecked exceptions other than ours are programming errors: show where. */
  private static boolean isBug(Exception e) {
    return e instanceof RuntimeException && !(e instanceof CommandLine.ParameterException)
        && !(e instanceof UserError);
  }

  @Override
  public int getExitCode(Throwable e) {
    return e instanceof CommandLine.ParameterException ? CommandLine.ExitCode.USAGE : FAILED;
  }

  /** An error in what the user asked for, raised by a command itself; the message says it all. */
  static final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
      super(message);
    }
  }

}

package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jbuild system}: store-wide commands ({@code df}, {@code check}). */
@Command(name = "system", description = "Manage the local store.", mixinStandardHelpOptions = true,
    subcommands = {SystemDfCommand.class, SystemCheckCommand.class})
final class SystemCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: use jbuild system df or check");
  }
}

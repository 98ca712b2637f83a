package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerRuntime;
import dev.jbuild.runtime.DockerRules;
import dev.jbuild.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild exec [OPTIONS] CONTAINER COMMAND [ARG...]}: a command in a running container (runc exec). */
@Command(name = "exec", mixinStandardHelpOptions = true, description = "Run a command in a running container.")
final class ExecCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-i", "--interactive"}, description = "Pass stdin to the command.")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Give the command a pseudo-terminal.")
  boolean tty;

  @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]", description = "Set an environment variable.")
  List<String> env = new ArrayList<>();

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user of the image.")
  String user;

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The working directory.")
  String workdir;

  @Parameters(index = "0", paramLabel = "CONTAINER") String container;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND") List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, () -> {
      if (parent.realStdio && interactive && tty && !ContainerCli.stdinIsTerminal()) {
        throw new Errors.UserError("the input device is not a TTY: drop -t, or run jbuild from a terminal");
      }
      List<String> vars;
      try {
        vars = DockerRules.envEntries(env, System.getenv(), null);
      } catch (IllegalArgumentException e) {
        throw new Errors.UserError(e.getMessage());
      }
      try (Store store = parent.global.openStore()) {
        ContainerRuntime runtime = ContainerRuntime.open(store);
        return runtime.exec(runtime.containers().find(container), command, vars, user, workdir, tty, interactive,
            ContainerCli.stdio(spec, parent.realStdio));
      }
    });
  }
}

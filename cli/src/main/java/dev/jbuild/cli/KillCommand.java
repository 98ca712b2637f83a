package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerRuntime;
import dev.jbuild.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild kill [-s SIGNAL] CONTAINER...}: a signal to each container's process (default SIGKILL). */
@Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal to running containers.")
final class KillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL",
      description = "The signal, by name or number (default ${DEFAULT-VALUE}).")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, () -> {
      try (Store store = parent.global.openStore()) {
        ContainerRuntime runtime = ContainerRuntime.open(store);
        for (String c : containers) {
          runtime.kill(runtime.containers().find(c), signal);
          spec.commandLine().getOut().println(c);
        }
      }
      spec.commandLine().getOut().flush();
      return 0;
    });
  }
}

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

/** {@code jbuild stop [-t SECONDS] CONTAINER...}: the stop signal, a grace period, then SIGKILL. */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop running containers: their STOPSIGNAL (default SIGTERM), then SIGKILL after the timeout.")
final class StopCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds to wait before SIGKILL (default ${DEFAULT-VALUE}).")
  long seconds;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, () -> {
      if (seconds < 0) {
        throw new Errors.UserError("-t must not be negative");
      }
      try (Store store = parent.global.openStore()) {
        ContainerRuntime runtime = ContainerRuntime.open(store);
        for (String c : containers) {
          runtime.stop(runtime.containers().find(c), seconds);
          spec.commandLine().getOut().println(c);
        }
      }
      spec.commandLine().getOut().flush();
      return 0;
    });
  }
}

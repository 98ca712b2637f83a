package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerException;
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

/** {@code jbuild rm [-f] CONTAINER...}: removes containers and their writable layers; each is tried. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers and their writable layers.")
final class RmCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-f", "--force"}, description = "Kill and remove running containers too.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, () -> {
      int exit = 0;
      try (Store store = parent.global.openStore()) {
        ContainerRuntime runtime = ContainerRuntime.open(store);
        for (String c : containers) {
          try {
            runtime.remove(runtime.containers().find(c), force);
            spec.commandLine().getOut().println(c);
          } catch (ContainerException e) {
            spec.commandLine().getErr().println("jbuild: error: " + e.getMessage());
            exit = Errors.FAILED;
          }
        }
      }
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().flush();
      return exit;
    });
  }
}

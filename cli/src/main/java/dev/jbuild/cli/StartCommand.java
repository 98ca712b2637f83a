package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerRecord;
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

/** {@code jbuild start [-a] CONTAINER...}: starts kept containers again, over their writable layer. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start stopped containers.")
final class StartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-a", "--attach"},
      description = "Stay attached to the container's output and exit with its code (one container).")
  boolean attach;

  @Option(names = {"-i", "--interactive"}, description = "Attach stdin too (with -a).")
  boolean interactive;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, () -> {
      if (attach && containers.size() != 1) {
        throw new Errors.UserError("you cannot start and attach multiple containers at once");
      }
      try (Store store = parent.global.openStore()) {
        ContainerRuntime runtime = ContainerRuntime.open(store);
        if (attach) {
          ContainerRecord r = runtime.containers().find(containers.get(0));
          if (parent.realStdio) {
            ContainerCli.forwardSignals(runtime, r);
          }
          if (interactive && !r.options().interactive()) {
            r = new ContainerRecord(r.id(), r.name(), r.image(), r.imageDigest(), r.imageMediaType(), r.imageSize(),
                r.created(), withInteractive(r), r.state());
          }
          return runtime.startAttached(r, ContainerCli.stdio(spec, parent.realStdio));
        }
        for (String c : containers) {
          runtime.startDetached(runtime.containers().find(c));
          spec.commandLine().getOut().println(c);
        }
        spec.commandLine().getOut().flush();
        return 0;
      }
    });
  }

  private static dev.jbuild.runtime.RunOptions withInteractive(ContainerRecord r) {
    dev.jbuild.runtime.RunOptions o = r.options();
    return new dev.jbuild.runtime.RunOptions(o.args(), o.env(), o.cwd(), o.user(), o.hostname(), o.hostNetwork(),
        o.mounts(), o.readOnly(), o.tty(), true, o.stopSignal(), o.autoRemove(), o.addHosts(), o.seccompUnconfined());
  }
}

package dev.jbuild.cli;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Platform;
import dev.jbuild.runtime.ContainerRecord;
import dev.jbuild.runtime.ContainerRuntime;
import dev.jbuild.runtime.ContainerStore;
import dev.jbuild.runtime.RunOptions;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild run [OPTIONS] IMAGE [COMMAND [ARG...]]}: a new container from a stored image (pulled when missing),
 * in the foreground with its exit code, or in the background with {@code -d}. Exit 125 when jbuild fails, 126 when
 * the command cannot be invoked, 127 when it is not found.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a command in a new container from an image (rootless with the jbuild launcher).")
final class RunCommand implements Callable<Integer> {
  enum Pull { missing, always, never }

  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;
  @Mixin RegistryOptions registry;
  @Mixin ContainerOptions options;

  @Option(names = "--rm", description = "Remove the container and its writable layer when it exits.")
  boolean rm;

  @Option(names = "--name", paramLabel = "NAME", description = "The container's name (default: jbuild_ID).")
  String name;

  @Option(names = {"-d", "--detach"},
      description = "Run in the background and print the container id; the output is kept for jbuild logs.")
  boolean detach;

  @Option(names = "--pull", paramLabel = "missing|always|never", defaultValue = "missing",
      description = "Pull the image before running: missing (default), always or never.")
  Pull pull;

  @Parameters(index = "0", paramLabel = "IMAGE") String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, this::run);
  }

  private int run() throws Exception {
    if (parent.realStdio && options.interactive && options.tty && !ContainerCli.stdinIsTerminal()) {
      throw new Errors.UserError("the input device is not a TTY: drop -t, or run jbuild from a terminal");
    }
    if (parent.realStdio && options.tty && !detach && !ContainerCli.hasControllingTerminal()) {
      throw new Errors.UserError("-t needs a terminal to attach the container's to, and jbuild has none: run it "
          + "from a terminal, drop -t, or use -d -t (the output then goes to jbuild logs)");
    }
    ImageReference ref = LocalImages.parse(image);
    try (Store store = parent.global.openStore()) {
      Descriptor descriptor = image(store, ref);
      StoredImages.StoredImage stored = StoredImages.read(store.blobs(), descriptor, Platform.host(), image);
      ContainerConfig config = stored.config().config() != null ? stored.config().config() : ContainerConfig.EMPTY;
      String id = ContainerStore.newId();
      RunOptions run = options.resolve(config, command, id.substring(0, 12), rm);
      ContainerRuntime runtime = ContainerRuntime.open(store);
      ContainerRecord record = runtime.create(id, descriptor, image, name, run);
      if (detach) {
        runtime.startDetached(record);
        spec.commandLine().getOut().println(record.id());
        spec.commandLine().getOut().flush();
        return 0;
      }
      if (parent.realStdio) {
        ContainerCli.forwardSignals(runtime, record);
      }
      return runtime.startAttached(record, ContainerCli.stdio(spec, parent.realStdio));
    }
  }

  private Descriptor image(Store store, ImageReference ref) throws Exception {
    Optional<Descriptor> local = store.images().resolve(ref.familiar());
    if (pull == Pull.always || (pull == Pull.missing && local.isEmpty())) {
      ProgressPrinter printer = new ProgressPrinter(spec.commandLine().getErr(), false);
      if (local.isEmpty()) {
        printer.info("Unable to find image '" + ref.familiar() + "' locally");
      }
      Descriptor pulled = registry.transfer(store, printer, ref.registry()).unpackingFor(Platform.host())
          .pull(ref, Platform.host()).stored();
      store.images().tag(ref.familiar(), pulled);
      return pulled;
    }
    return local.orElseThrow(() -> new Errors.UserError("no such image: " + image + " (not in the local store "
        + store.root() + ", and --pull never)"));
  }
}

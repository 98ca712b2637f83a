package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild push IMAGE [DESTINATION]}: a stored image to a registry; prints the pushed manifest digest. */
@Command(name = "push", description = "Push a stored image to a registry.", mixinStandardHelpOptions = true)
final class PushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The stored image.") String image;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DESTINATION",
      description = "Where to push (default: IMAGE itself, which then names a registry).")
  String destination;

  @Option(names = {"-q", "--quiet"}, description = "Print only the digest.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    ImageReference dest = LocalImages.parse(destination != null ? destination : image);
    if (dest.digest() != null) {
      throw new Errors.UserError("cannot push to a digest reference: " + dest.familiar() + "; give a tag");
    }
    ProgressPrinter printer = new ProgressPrinter(spec.commandLine().getErr(), quiet);
    try (Store store = parent.global.openStore()) {
      Descriptor local = LocalImages.resolve(store, image);
      Digest pushed = registry.transfer(store, printer).push(local, dest);
      printer.info("pushed " + dest.familiar());
      spec.commandLine().getOut().println(pushed);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}

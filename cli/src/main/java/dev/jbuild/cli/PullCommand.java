package dev.jbuild.cli;

import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild pull REF}: an image from a registry into the local store; prints its digest. */
@Command(name = "pull", description = "Pull an image from a registry into the local store; prints its digest.",
    mixinStandardHelpOptions = true)
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "IMAGE") String image;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pull (default: the host's).")
  String platform;

  @Option(names = {"-a", "--all-platforms"},
      description = "Pull every platform of a multi-platform image and store the whole index.")
  boolean allPlatforms;

  @Option(names = {"-q", "--quiet"}, description = "Print only the digest.")
  boolean quiet;

  @Option(names = "--no-unpack", description = {"Store the image without unpacking its layers. By default the layers"
      + " of an image for this host are unpacked as they arrive, as docker pull does, so a build or run on it starts"
      + " at once; without, the first build or run unpacks them. For pipelines that only move images on."})
  boolean noUnpack;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = LocalImages.parse(image);
    if (allPlatforms && platform != null) {
      throw new Errors.UserError("--platform and --all-platforms exclude each other");
    }
    Platform wanted;
    try {
      wanted = platform == null ? Platform.host() : Platform.parse(platform);
    } catch (OciException e) {
      throw new Errors.UserError(e.getMessage());
    }
    ProgressPrinter printer = new ProgressPrinter(spec.commandLine().getErr(), quiet);
    try (Store store = parent.global.openStore()) {
      ImageTransfer transfer = registry.transfer(store, printer, ref.registry());
      if (!noUnpack) {
        transfer = transfer.unpackingFor(Platform.host());
      }
      ImageTransfer.PullResult result = allPlatforms ? transfer.pullAllPlatforms(ref) : transfer.pull(ref, wanted);
      store.images().tag(ref.familiar(), result.stored());
      printer.info("pulled " + ref.familiar());
      spec.commandLine().getOut().println(result.stored().digest());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}

package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MediaType;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.store.Store;
import dev.jbuild.store.TaggedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild push IMAGE [DESTINATION]}: a stored image to a registry; prints the pushed manifest digest. */
@Command(name = "push", description = "Push a stored image to a registry; prints the pushed digest.",
    mixinStandardHelpOptions = true)
final class PushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The stored image.") String image;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DESTINATION",
      description = "Where to push (default: IMAGE itself, which then names a registry).")
  String destination;

  @Option(names = "--compression", paramLabel = "gzip|zstd", defaultValue = "gzip",
      description = "How to compress layers built locally (default gzip; zstd gives "
          + "application/vnd.oci.image.layer.v1.tar+zstd layers). Pulled layers go out as they came.")
  String compression;

  @Option(names = {"-a", "--all-tags"},
      description = "Push every local tag of the repository IMAGE names (IMAGE and DESTINATION without a tag).")
  boolean allTags;

  @Option(names = {"-q", "--quiet"}, description = "Print only the digest.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    MediaType.Compression c = switch (compression.toLowerCase(java.util.Locale.ROOT)) {
      case "gzip" -> MediaType.Compression.GZIP;
      case "zstd" -> MediaType.Compression.ZSTD;
      default -> throw new Errors.UserError("--compression must be gzip or zstd, not " + compression);
    };
    ImageReference dest = LocalImages.parse(destination != null ? destination : image);
    if (dest.digest() != null) {
      throw new Errors.UserError("cannot push to a digest reference: " + dest.familiar() + "; give a tag");
    }
    ProgressPrinter printer = new ProgressPrinter(spec.commandLine().getErr(), quiet);
    try (Store store = parent.global.openStore()) {
      ImageTransfer transfer = registry.transfer(store, printer, dest.registry());
      if (!allTags) {
        Descriptor local = LocalImages.resolve(store, image);
        Digest pushed = transfer.push(local, dest, c);
        printer.info("pushed " + dest.familiar());
        spec.commandLine().getOut().println(pushed);
      } else {
        for (TaggedImage tagged : tagsOf(store)) {
          ImageReference target = dest.withTag(LocalImages.parse(tagged.name()).tag());
          Digest pushed = transfer.push(tagged.manifest(), target, c);
          printer.info("pushed " + target.familiar());
          spec.commandLine().getOut().println(target.tag() + " " + pushed);
        }
      }
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private List<TaggedImage> tagsOf(Store store) throws Exception {
    if (image.contains("@") || (destination != null && hasTag(destination)) || hasTag(image)) {
      throw new Errors.UserError("--all-tags takes a repository without a tag: " + image);
    }
    String repository = LocalImages.parse(image).name();
    List<TaggedImage> found = new ArrayList<>();
    for (TaggedImage tagged : store.images().list()) {
      ImageReference ref;
      try {
        ref = ImageReference.parse(tagged.name());
      } catch (dev.jbuild.oci.InvalidReferenceException e) {
        continue; // a tag some other tool wrote into the layout; not a repository name
      }
      if (ref.name().equals(repository) && ref.tag() != null && ref.digest() == null) {
        found.add(tagged);
      }
    }
    if (found.isEmpty()) {
      throw new Errors.UserError("no local tags of " + image + " (see jbuild images)");
    }
    return found;
  }

  /** Whether the last path segment carries a {@code :tag} (a registry port does not count). */
  private static boolean hasTag(String name) {
    int slash = name.lastIndexOf('/');
    return name.indexOf(':', slash + 1) >= 0;
  }
}

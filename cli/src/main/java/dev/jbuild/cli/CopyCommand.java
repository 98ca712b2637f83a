package dev.jbuild.cli;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.registry.transfer.RegistryCopy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild copy SRC DEST}: registry to registry, digests unchanged, without the local store. */
@Command(name = "copy", aliases = "cp", mixinStandardHelpOptions = true,
    description = "Copy an image or multi-platform index from one registry repository to another, byte for byte "
        + "(digests stay the same), without the local store; prints the digest.")
final class CopyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The image to copy (tag or digest).") String source;

  @Parameters(index = "1", paramLabel = "DESTINATION", description = "Where to copy it (tag or digest).")
  String destination;

  @Option(names = {"-q", "--quiet"}, description = "Print only the digest.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    ImageReference src = LocalImages.parse(source);
    ImageReference dest = LocalImages.parse(destination);
    ProgressPrinter printer = new ProgressPrinter(spec.commandLine().getErr(), quiet);
    Path temp = Files.createTempDirectory("jbuild-copy-");
    try {
      RegistryCopy copy = new RegistryCopy(
          registry.settings(src.registry(), dest.registry()).withEvents(new TransferPrinter(printer)), temp,
          printer::info);
      Digest digest = copy.copy(src, dest);
      printer.info("copied " + src.familiar() + " to " + dest.familiar());
      spec.commandLine().getOut().println(digest);
      spec.commandLine().getOut().flush();
    } finally {
      try (Stream<Path> paths = Files.walk(temp)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    return 0;
  }
}

package dev.jbuild.cli;

import dev.jbuild.store.Store;
import dev.jbuild.store.archive.ArchiveLoader;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild load [-i FILE|-]}: every image of a docker-archive or OCI archive into the store. */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Load images from a docker-archive or OCI-archive tar (plain, gzip, zstd or xz), from a file or stdin.")
final class LoadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Option(names = {"-i", "--input"}, paramLabel = "FILE", defaultValue = "-",
      description = "The archive; - (the default) is stdin.")
  String input;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Which manifest to keep of an archived multi-platform index (default: the host's).")
  String platform;

  @Option(names = {"-q", "--quiet"}, description = "Print only the manifest digests.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<ArchiveLoader.LoadedImage> loaded;
    try (Store store = parent.global.openStore(); InputStream in = ArchiveStreams.input(input)) {
      loaded = ArchiveLoader.load(store, in, ArchiveStreams.describe(input, "archive"),
          ArchiveStreams.platform(platform));
    }
    for (ArchiveLoader.LoadedImage image : loaded) {
      String digest = image.manifest().digest().toString();
      if (quiet) {
        out.println(digest);
      } else if (image.names().isEmpty()) {
        out.println("Loaded image ID: " + digest + " (untagged)");
      } else {
        for (String name : image.names()) {
          out.println("Loaded image: " + name + " " + digest);
        }
      }
    }
    out.flush();
    return 0;
  }
}

package dev.jbuild.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.registry.ManifestResponse;
import dev.jbuild.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild manifest inspect IMAGE}: a remote manifest or index, without pulling anything. */
@Command(name = "manifest", mixinStandardHelpOptions = true, description = "Look at manifests in a registry.",
    subcommands = ManifestCommand.Inspect.class)
final class ManifestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return picocli.CommandLine.ExitCode.USAGE;
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Print a remote manifest or index as pretty-printed JSON, then its digest, without pulling.")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "IMAGE") String image;

    @Option(names = "--raw", description = "Print the manifest bytes exactly as the registry sent them, no digest line.")
    boolean raw;

    @Override
    public Integer call() throws Exception {
      ImageReference ref = LocalImages.parse(image);
      String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
      try (RegistryClient client = RegistryClient.create(registry.settings(ref.registry()), ref)) {
        ManifestResponse manifest = client.pullManifest(reference);
        PrintWriter out = spec.commandLine().getOut();
        if (raw) {
          out.print(new String(manifest.bytes(), java.nio.charset.StandardCharsets.UTF_8));
        } else {
          ObjectMapper mapper = new ObjectMapper();
          JsonNode tree = mapper.readTree(manifest.bytes());
          out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
          out.println("Digest: " + manifest.digest());
        }
        out.flush();
      }
      return 0;
    }
  }
}

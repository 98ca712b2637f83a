package dev.jbuild.cli;

import dev.jbuild.oci.ImageReference;
import dev.jbuild.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild tags REPOSITORY}: the tags a registry has for a repository, one per line. */
@Command(name = "tags", mixinStandardHelpOptions = true,
    description = "List the tags of a repository in its registry, one per line.")
final class TagsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "REPOSITORY", description = "e.g. localhost:5000/app or busybox.")
  String repository;

  @Override
  public Integer call() throws Exception {
    ImageReference ref = LocalImages.parse(repository);
    if (repository.contains("@")) {
      throw new Errors.UserError("give a repository, not a digest reference: " + repository);
    }
    try (RegistryClient client = RegistryClient.create(registry.settings(ref.registry()), ref)) {
      PrintWriter out = spec.commandLine().getOut();
      for (String tag : client.listTags()) {
        out.println(tag);
      }
      out.flush();
    }
    return 0;
  }
}

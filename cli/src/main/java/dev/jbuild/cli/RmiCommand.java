package dev.jbuild.cli;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.admin.ImageRemover;
import dev.jbuild.store.admin.Removal;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild rmi IMAGE...}: docker's semantics. A name is untagged; when it was the image's last name, the blobs
 * only that image used are deleted at once. An ID (or {@code sha256:} digest) removes every name of the image,
 * which needs {@code --force} when the names span several repositories. Each image is tried; exit 1 if any failed.
 */
@Command(name = "rmi", description = "Remove images from the local store.", mixinStandardHelpOptions = true)
final class RmiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Option(names = {"-f", "--force"},
      description = "Remove an image by ID even when names in several repositories reference it.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "A name (app:1), an ID prefix or a sha256: digest.")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int exit = 0;
    try (Store store = parent.global.openStore()) {
      // An image a container (running or not) was made from stays unless forced, as with docker.
      ImageRemover remover = new ImageRemover(store, dev.jbuild.runtime.ContainerStore.of(store).imageUsers());
      for (String image : images) {
        try {
          ImageArgs.Target target = ImageArgs.resolve(store, image);
          Removal r = target.name() != null
              ? remover.removeTag(target.name(), force)
              : remover.removeImage(target.id(), force);
          for (String name : r.untagged()) {
            out.println("Untagged: " + name);
          }
          for (Digest d : r.deleted()) {
            out.println("Deleted: " + d);
          }
          if (r.keptBecause() != null) {
            err.println("jbuild: warning: kept the blobs of " + image + ": " + r.keptBecause());
          }
        } catch (StoreException | Errors.UserError e) {
          err.println("jbuild: error: " + e.getMessage());
          exit = Errors.FAILED;
        }
      }
    }
    out.flush();
    err.flush();
    return exit;
  }
}

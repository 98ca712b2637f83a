package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jbuild tag SOURCE TARGET}: another name for a stored image. */
@Command(name = "tag", description = "Give a stored image another name.", mixinStandardHelpOptions = true)
final class TagCommand implements Callable<Integer> {
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Parameters(index = "0", paramLabel = "SOURCE") String source;

  @Parameters(index = "1", paramLabel = "TARGET") String target;

  @Override
  public Integer call() throws Exception {
    String targetName = LocalImages.parse(target).familiar();
    try (Store store = parent.global.openStore()) {
      Descriptor image = LocalImages.resolve(store, source);
      store.images().tag(targetName, image);
    }
    return 0;
  }
}

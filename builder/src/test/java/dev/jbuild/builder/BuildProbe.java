package dev.jbuild.builder;

import dev.jbuild.store.Store;
import java.nio.file.Path;

/**
 * Runs one build in a JVM of its own, so a test can give it a small heap: {@code BuildProbe STORE CONTEXT}. Prints
 * the RUN output lines, exits 0 on success and 1 with the error otherwise.
 */
public final class BuildProbe {
  private BuildProbe() {}

  public static void main(String[] args) throws Exception {
    try (Store store = Store.open(Path.of(args[0]))) {
      new ImageBuilder(store, BaseImagePuller.OFFLINE, e -> {
        if (e instanceof BuildEvent.Output o) {
          System.out.println(o.line());
        }
      }).build(BuildOptions.builder(Path.of(args[1])).build());
    } catch (BuildException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }
}

package dev.jbuild.maven;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;

/** Runs a {@link BuildRequest} in this process: the in-process path and the forked child both end here. */
final class Builds {
  private Builds() {}

  static BuildResult run(BuildRequest request, BuildListener listener) throws BuildException {
    try (Store store = Store.open(request.storeRoot())) {
      ImageBuilder builder = new ImageBuilder(store,
          Registries.puller(store, request.offline(), request.credentials(),
              m -> listener.onEvent(new BuildEvent.Log(BuildEvent.Level.INFO, m))),
          listener);
      return builder.build(request.options());
    } catch (StoreException e) {
      throw new BuildException("cannot open the jbuild store " + request.storeRoot() + ": " + e.getMessage(), e);
    }
  }
}

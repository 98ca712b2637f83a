package dev.jbuild.builder;

import dev.jbuild.builder.internal.Build;
import dev.jbuild.store.Store;
import java.util.Objects;

/**
 * Builds a Dockerfile into an image in the local store.
 *
 * <pre>{@code
 * try (Store store = Store.open(Store.defaultRoot())) {
 *   BuildResult r = new ImageBuilder(store, puller, event -> log(event))
 *       .build(BuildOptions.builder(Path.of("samples/hello")).tag("hello:1").build());
 * }
 * }</pre>
 *
 * <p>The store is only changed in ways that are safe to abandon: blobs are added as they are made, and the
 * tags are written last, so a failed build leaves {@code jbuild images} as it was.
 */
public final class ImageBuilder {
  private final Store store;
  private final BaseImagePuller puller;
  private final BuildListener listener;

  public ImageBuilder(Store store, BaseImagePuller puller, BuildListener listener) {
    this.store = Objects.requireNonNull(store, "store");
    this.puller = Objects.requireNonNull(puller, "puller");
    this.listener = listener == null ? BuildListener.NONE : listener;
  }

  public BuildResult build(BuildOptions options) throws BuildException {
    return new Build(store, puller, listener, options).run();
  }
}

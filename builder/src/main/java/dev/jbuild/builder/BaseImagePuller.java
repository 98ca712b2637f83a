package dev.jbuild.builder;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Platform;

/** Fetches a base image that the local store lacks into the store; the registry client implements it. */
@FunctionalInterface
public interface BaseImagePuller {
  /** A puller for offline builds: every missing base image is an error. */
  BaseImagePuller OFFLINE = (ref, platform) -> {
    throw new BuildException("image " + ref.familiar() + " is not in the local store, and pulling is disabled");
  };

  /** Pulls {@code ref} for {@code platform} and returns the stored manifest (or index) descriptor. */
  Descriptor pull(ImageReference ref, Platform platform) throws BuildException;
}

package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;

/** Looks up an image the user named in the local store, with an error that names it. */
final class LocalImages {
  private LocalImages() {}

  static ImageReference parse(String name) {
    try {
      return ImageReference.parse(name);
    } catch (InvalidReferenceException e) {
      throw new Errors.UserError(e.getMessage());
    }
  }

  static Descriptor resolve(Store store, String name) throws StoreException {
    ImageReference ref = parse(name);
    return store.images().resolve(ref.familiar()).orElseThrow(() -> new Errors.UserError(
        "no such image: " + name + " (not in the local store " + store.root() + "; see jbuild images)"));
  }
}

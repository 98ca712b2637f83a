package dev.jbuild.store.admin;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.StoreException;
import java.util.Set;

/**
 * Who uses an image besides its tags: the runtime reports the manifest digests its running containers were made
 * from, and {@link ImageRemover} refuses to delete those. Until containers exist, {@link #NONE}.
 */
@FunctionalInterface
public interface ImageUsers {
  /** Nobody uses any image. */
  ImageUsers NONE = Set::of;

  /** The manifest (or index) digests in use right now. */
  Set<Digest> manifestsInUse() throws StoreException;
}

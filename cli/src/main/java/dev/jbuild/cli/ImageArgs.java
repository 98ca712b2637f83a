package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.TaggedImage;
import dev.jbuild.store.admin.ImageRemover;
import dev.jbuild.store.admin.ImageUsers;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image the user named for {@code rmi}, {@code history}, {@code save} or {@code export}, resolved as docker does:
 * a {@code sha256:} digest is an ID; otherwise a stored name wins; otherwise a unique prefix of at least four hex
 * digits of an image ID (the manifest digest {@code jbuild images} shows).
 */
final class ImageArgs {
  private static final Pattern SHORT_ID = Pattern.compile("[0-9a-f]{4,64}");

  private ImageArgs() {}

  /**
   * What the argument named.
   *
   * @param name the stored name when the user gave one, else null
   * @param id the image's digest when the user gave an ID, else null
   * @param descriptor the index.json entry (without ref.name when named)
   */
  record Target(String name, Digest id, Descriptor descriptor) {}

  static Target resolve(Store store, String arg) throws StoreException {
    ImageRemover ids = new ImageRemover(store, ImageUsers.NONE);
    if (!arg.startsWith(Digest.SHA256 + ":")) {
      String name = familiar(arg);
      if (name != null) {
        Optional<Descriptor> named = store.images().resolve(name);
        if (named.isPresent()) {
          return new Target(name, null, named.get());
        }
      }
    }
    if (arg.startsWith(Digest.SHA256 + ":") || SHORT_ID.matcher(arg).matches()) {
      Optional<Digest> id = ids.findImage(arg);
      if (id.isPresent()) {
        for (Descriptor d : store.images().entries()) {
          if (d.digest().equals(id.get())) {
            return new Target(null, id.get(), d);
          }
        }
      }
    }
    throw new Errors.UserError(
        "no such image: " + arg + " (not in the local store " + store.root() + "; see jbuild images)");
  }

  /**
   * {@link #resolve}, and for the commands that only read the image, also {@code repo@sha256:...} naming an image
   * stored under a tag of that repository (docker save and inspect take it through the image's RepoDigests). The
   * target then has no name: the digest, not a tag, is what the user chose.
   */
  static Target resolveToRead(Store store, String arg) throws StoreException {
    try {
      return resolve(store, arg);
    } catch (Errors.UserError notFound) {
      ImageReference ref = reference(arg);
      if (ref == null || ref.digest() == null) {
        throw notFound;
      }
      for (TaggedImage t : store.images().list()) {
        ImageReference stored = reference(t.name());
        if (t.manifest().digest().equals(ref.digest()) && stored != null && stored.name().equals(ref.name())) {
          return new Target(null, ref.digest(), t.manifest());
        }
      }
      throw notFound;
    }
  }

  private static ImageReference reference(String arg) {
    try {
      return ImageReference.parse(arg);
    } catch (InvalidReferenceException e) {
      return null;
    }
  }

  private static String familiar(String arg) {
    try {
      return ImageReference.parse(arg).familiar();
    } catch (InvalidReferenceException e) {
      return null;
    }
  }
}

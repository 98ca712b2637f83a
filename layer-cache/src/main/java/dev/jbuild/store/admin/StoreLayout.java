package dev.jbuild.store.admin;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.InvalidDigestException;
import dev.jbuild.store.Store;
import java.nio.file.Path;
import java.util.Optional;

/** Where jbuild's folders beside the OCI layout live under a store root. */
final class StoreLayout {
  /** Left by a snapshot extraction until it completes; a snapshot carrying it is unusable. */
  static final String INCOMPLETE_MARKER = "incomplete";
  static final String ROOTFS = "rootfs";

  final Path root;
  final Path blobs;
  final Path tmp;
  final Path compression;
  final Path snapshots;
  final Path cache;

  StoreLayout(Store store) {
    this.root = store.root();
    this.blobs = root.resolve("blobs");
    this.tmp = root.resolve("tmp");
    this.compression = root.resolve("compression");
    this.snapshots = root.resolve("snapshots");
    this.cache = root.resolve("cache");
  }

  /** The snapshot directory of a layer: {@code snapshots/<alg>/<hex>}. */
  Path snapshot(Digest diffId) {
    return snapshots.resolve(diffId.algorithm()).resolve(diffId.hex());
  }

  /** A relative, forward-slashed name for messages ({@code blobs/sha256/ab12...}). */
  String show(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  /** The digest an {@code <alg>/<hex>} file or directory name stands for, if it is one. */
  static Optional<Digest> digestOf(String algorithm, String hex) {
    try {
      return Optional.of(Digest.parse(algorithm + ":" + hex));
    } catch (InvalidDigestException e) {
      return Optional.empty();
    }
  }
}

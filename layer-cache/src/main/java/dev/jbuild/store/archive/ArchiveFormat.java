package dev.jbuild.store.archive;

/** What {@link ArchiveWriter} writes. */
public enum ArchiveFormat {
  /**
   * The layout docker 25 and later writes: {@code manifest.json} and {@code repositories} for {@code docker load},
   * plus {@code oci-layout}, {@code index.json} and {@code blobs/}, so the same tar is also an OCI layout.
   */
  DOCKER_ARCHIVE,
  /** A plain OCI image layout in a tar: {@code oci-layout}, {@code index.json} and {@code blobs/}. */
  OCI_ARCHIVE
}

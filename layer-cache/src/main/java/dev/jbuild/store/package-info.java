/**
 * The local store: a crash-safe content-addressed blob store and an image store, laid out as an OCI image
 * layout so that {@code skopeo inspect oci:ROOT:NAME} and {@code umoci} read it directly.
 *
 * <pre>
 * ROOT/oci-layout                      {"imageLayoutVersion":"1.0.0"}
 * ROOT/index.json                      tags as org.opencontainers.image.ref.name annotations, sorted by name
 * ROOT/blobs/sha256/HEX                immutable blobs, only ever created by rename of a verified temp file
 * ROOT/tmp/                            in-flight ingests (same filesystem, so rename is atomic); swept when stale
 * ROOT/locks/blobs.lock, index.lock    inter-process locks (byte-range stripes for blobs, whole file for refs)
 * ROOT/compression/sha256/HEX/gzip     diffID to compressed-blob memo, one small JSON descriptor per file
 * </pre>
 *
 * <p>Entry point: {@link dev.jbuild.store.Store#open(java.nio.file.Path)}.
 */
package dev.jbuild.store;

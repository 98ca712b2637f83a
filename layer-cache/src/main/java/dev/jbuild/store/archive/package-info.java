/**
 * Images as files: {@link dev.jbuild.store.archive.ArchiveWriter} writes docker-archive and OCI-archive tars
 * ({@code jbuild save}), {@link dev.jbuild.store.archive.ArchiveLoader} reads every common form of them into the
 * store ({@code jbuild load}), {@link dev.jbuild.store.archive.RootfsImporter} turns a root filesystem tarball into
 * a one-layer image ({@code jbuild import}) and {@link dev.jbuild.store.archive.RootfsExporter} flattens an image
 * into one ({@code jbuild export}).
 *
 * <p>Everything streams: archives may come from a pipe in any entry order and be larger than memory. Only small
 * JSON documents are held in memory, each under a cap; blobs go straight into the store's verified ingest. Names
 * inside an archive are keys, never filesystem paths: nothing is ever extracted to disk.
 */
package dev.jbuild.store.archive;

package dev.jbuild.store;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import java.io.OutputStream;

/**
 * A streaming ingest into the store's {@code tmp/}: bytes are hashed as they are written and become a blob only on
 * {@link #commit}. Closing without committing deletes the temp file, so a failed download leaves nothing behind.
 *
 * <pre>{@code
 * try (BlobWriter w = store.blobs().newWriter()) {
 *   body.transferTo(w.stream());
 *   Digest d = w.commit(expectedDigest, expectedSize);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one writer is used by one thread at a time.
 */
public interface BlobWriter extends AutoCloseable {
  /** The stream to write the content to; closing it only flushes (it does not commit). */
  OutputStream stream();

  /** The algorithm this writer hashes with as bytes arrive: {@code sha256}, or a resumed ingest's own. */
  String algorithm();

  /**
   * The digest of every byte written so far (resumed ones included), in {@link #algorithm()}, without ending the
   * ingest: a caller that must verify the bytes before it commits (a download, say) asks here instead of hashing
   * them a second time.
   */
  Digest digestSoFar();

  /** Bytes written so far; for a {@linkplain BlobStore#resumableWriter resumed} ingest, including those resumed. */
  long written();

  /**
   * Discards everything written so far, resumed bytes included: {@link #written()} is 0 again. For a source that
   * cannot continue at {@link #written()} (a server that ignores a Range request) or a retry after bad data (K05).
   */
  void truncate() throws StoreException;

  /**
   * Fsyncs the temp file, verifies the digest (if {@code expected} is not null) and the size (if {@code
   * expectedSize >= 0}), then renames it to {@code blobs/<alg>/<hex>} under the blob lock and fsyncs the
   * directory. When the blob exists already the existing one is kept and the temp file is deleted (K04). On a
   * mismatch nothing is stored and the temp file is deleted (K03).
   *
   * @return the digest of what was written (in {@code expected}'s algorithm when given, sha256 otherwise)
   */
  Digest commit(Digest expected, long expectedSize) throws StoreException, DigestMismatchException;

  /**
   * Aborts unless committed: a one-shot writer deletes its temp file; a {@linkplain BlobStore#resumableWriter
   * resumable} one keeps it for the next attempt. Never throws.
   */
  @Override
  void close();
}

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

  /** Bytes written so far. */
  long written();

  /**
   * Fsyncs the temp file, verifies the digest (if {@code expected} is not null) and the size (if {@code
   * expectedSize >= 0}), then renames it to {@code blobs/<alg>/<hex>} under the blob lock and fsyncs the
   * directory. When the blob exists already the existing one is kept and the temp file is deleted (K04). On a
   * mismatch nothing is stored and the temp file is deleted (K03).
   *
   * @return the digest of what was written (in {@code expected}'s algorithm when given, sha256 otherwise)
   */
  Digest commit(Digest expected, long expectedSize) throws StoreException, DigestMismatchException;

  /** Aborts (deletes the temp file) unless committed. Never throws. */
  @Override
  void close();
}

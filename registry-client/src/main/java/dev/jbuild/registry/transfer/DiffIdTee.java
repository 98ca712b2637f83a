package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.io.HandOff;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Passes a layer's compressed bytes on to {@code target} (the store's ingest) and hands a copy to a second
 * thread ({@link HandOff}) that decompresses and hashes them, so a pull learns the layer's diffID during the
 * download instead of reading and decompressing the blob again afterwards. The download and the decompression
 * overlap, one core each, with memory bounded by the hand-off queue.
 *
 * <p>{@link #finish()} returns the diffID once every byte has gone through; {@link #close()} without it stops the
 * worker and waits for it, so no thread outlives a cancelled or failed transfer.
 */
final class DiffIdTee extends OutputStream {
  /** Bytes per hand-off to the worker. */
  static final int CHUNK = HandOff.CHUNK;

  private final OutputStream target;
  private final HandOff<Digest> worker;
  private boolean finished;

  /** @param name names the worker thread, for thread dumps */
  DiffIdTee(OutputStream target, MediaType.Compression compression, String name) {
    this.target = target;
    this.worker = new HandOff<>("jbuild-diffid-" + name, in -> diffId(in, compression));
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (finished) {
      throw new IOException("write after finish");
    }
    target.write(b, off, len);
    // A worker that stopped early (bad data) takes no more input; its error surfaces in finish().
    worker.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }

  /**
   * Waits for the worker and returns the sha256 of the decompressed bytes.
   *
   * @throws IOException when the bytes do not decompress (the message says why)
   */
  Digest finish() throws IOException {
    finished = true;
    return worker.finish();
  }

  /** Stops the worker unless {@link #finish()} ran; never throws, never closes {@code target}. */
  @Override
  public void close() {
    worker.close();
  }

  private static Digest diffId(InputStream raw, MediaType.Compression compression) throws IOException {
    try {
      MessageDigest hasher = Digest.newSha256();
      // Bytes after the compressed stream, which the decompressor ignores as a file read would, are drained by the
      // hand-off, so the writer never blocks on a full queue.
      try (InputStream plain = DiffIds.decompressing(raw, compression)) {
        byte[] buffer = new byte[CHUNK];
        int n;
        while ((n = plain.read(buffer)) != -1) {
          hasher.update(buffer, 0, n);
        }
      }
      return Digest.sha256(hasher.digest());
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("the layer does not decompress as "
          + compression.name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IOException("decompressing the layer failed: " + e, e);
    }
  }
}

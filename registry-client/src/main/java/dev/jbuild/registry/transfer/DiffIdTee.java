package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Passes a layer's compressed bytes on to {@code target} (the store's ingest) and hands a copy to a second
 * thread that decompresses and hashes them, so a pull learns the layer's diffID during the download instead of
 * reading and decompressing the blob again afterwards. The download and the decompression overlap, one core
 * each. Memory is bounded by the hand-off queue ({@value #QUEUED_CHUNKS} chunks).
 *
 * <p>{@link #finish()} returns the diffID once every byte has gone through; {@link #close()} without it stops the
 * worker and waits for it, so no thread outlives a cancelled or failed transfer.
 */
final class DiffIdTee extends OutputStream {
  static final int QUEUED_CHUNKS = 16;
  /** Bytes per hand-off to the worker: QUEUED_CHUNKS of them bound the memory per layer (4 MiB). */
  static final int CHUNK = 256 * 1024;
  private static final byte[] END = new byte[0];

  private final OutputStream target;
  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final Thread worker;
  private volatile boolean workerDone;
  private volatile Digest diffId;
  private volatile IOException failure;
  private boolean ended;
  private byte[] pending;
  private int pendingLength;

  /** @param name names the worker thread, for thread dumps */
  DiffIdTee(OutputStream target, MediaType.Compression compression, String name) {
    this.target = target;
    this.worker = new Thread(() -> decompress(compression), "jbuild-diffid-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (ended) {
      throw new IOException("write after finish");
    }
    target.write(b, off, len);
    // A worker that stopped early (bad data) needs no more input; its error surfaces in finish().
    if (workerDone) {
      pending = null;
      return;
    }
    // Socket reads come in a few KB at a time: handing each to the worker was a lock hand-off and an allocation per
    // read. They are gathered into chunks of CHUNK bytes instead.
    while (len > 0) {
      if (pending == null) {
        pending = new byte[CHUNK];
        pendingLength = 0;
      }
      int n = Math.min(len, CHUNK - pendingLength);
      System.arraycopy(b, off, pending, pendingLength, n);
      pendingLength += n;
      off += n;
      len -= n;
      if (pendingLength == CHUNK) {
        put(pending);
        pending = null;
      }
    }
  }

  private void putPending() throws IOException {
    if (pending != null && pendingLength > 0 && !workerDone) {
      put(pendingLength == CHUNK ? pending : Arrays.copyOf(pending, pendingLength));
    }
    pending = null;
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
    if (!ended) {
      ended = true;
      putPending();
      put(END);
    }
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while decompressing a layer");
    }
    if (failure != null) {
      throw failure;
    }
    return diffId;
  }

  /** Stops the worker unless {@link #finish()} ran; never throws, never closes {@code target}. */
  @Override
  public void close() {
    if (!worker.isAlive()) {
      return;
    }
    worker.interrupt();
    // A cancelled transfer arrives here interrupted: wait for the worker all the same, then restore the flag.
    boolean interrupted = Thread.interrupted();
    try {
      worker.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void put(byte[] chunk) throws IOException {
    try {
      queue.put(chunk);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while passing a layer on for decompression");
    }
  }

  private void decompress(MediaType.Compression compression) {
    try {
      MessageDigest hasher = Digest.newSha256();
      QueueInputStream raw = new QueueInputStream();
      try (InputStream plain = DiffIds.decompressing(raw, compression)) {
        byte[] buffer = new byte[CHUNK];
        int n;
        while ((n = plain.read(buffer)) != -1) {
          hasher.update(buffer, 0, n);
        }
      }
      // Bytes after the compressed stream (which the decompressor ignores, as a file read would) are drained,
      // so the writer never blocks on a full queue.
      raw.drain();
      diffId = Digest.sha256(hasher.digest());
    } catch (InterruptedIOException e) {
      failure = e;
    } catch (IOException e) {
      failure = new IOException("the layer does not decompress as " + compression.name().toLowerCase(java.util.Locale.ROOT)
          + ": " + e.getMessage(), e);
      workerDone = true;
      drainQuietly();
    } catch (RuntimeException e) {
      failure = new IOException("decompressing the layer failed: " + e, e);
      workerDone = true;
      drainQuietly();
    } finally {
      workerDone = true;
    }
  }

  /** After a failure: discard until the end marker (or an interrupt), so a writer blocked in put() moves on. */
  private void drainQuietly() {
    try {
      while (queue.take() != END) {
        // discard
      }
    } catch (InterruptedException e) {
      // close(): the transfer is being abandoned
    }
  }

  /**
   * The worker's view of the queue: a blocking stream whose {@link #available()} waits for the next chunk, so
   * that {@link java.util.zip.GZIPInputStream} sees the same "more input follows" answer as from a file and
   * reads concatenated gzip members exactly as a file read would.
   */
  private final class QueueInputStream extends InputStream {
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() throws IOException {
      return fill() ? chunk.length - pos : 0;
    }

    void drain() throws IOException {
      while (fill()) {
        pos = chunk.length;
      }
    }

    private boolean fill() throws IOException {
      while (!eof && pos == chunk.length) {
        byte[] next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          throw new InterruptedIOException("layer decompression cancelled");
        }
        if (next == END) {
          eof = true;
        } else {
          chunk = next;
          pos = 0;
        }
      }
      return !eof;
    }
  }
}

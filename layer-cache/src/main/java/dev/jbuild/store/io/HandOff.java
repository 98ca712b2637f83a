package dev.jbuild.store.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands what is written to it to a consumer running on a thread of its own, which reads it as an {@link InputStream}:
 * the writer and the consumer overlap, one core each. Writes are gathered into {@value #CHUNK}-byte chunks (socket
 * and tar writes come a few KB at a time; one hand-off each was a lock and an allocation per write), and at most
 * {@value #QUEUED_CHUNKS} chunks wait, which bounds the memory.
 *
 * <pre>{@code
 * try (HandOff<Digest> hashing = new HandOff<>("jbuild-hash", in -> hash(in))) {
 *   source.transferTo(hashing);
 *   Digest d = hashing.finish();   // the consumer's result, or its failure
 * }
 * }</pre>
 *
 * <p>A consumer that stops early (bad input) needs no more: later writes are dropped, and the writer learns why from
 * {@link #finish()}. The consumer reads the stream to its end, past what it needs, so the writer never blocks on a
 * full queue; whatever it leaves unread is drained for it. {@link #close()} without {@link #finish()} stops the
 * consumer and waits for it, so no thread outlives a cancelled transfer.
 *
 * @param <T> what the consumer makes of the bytes
 */
public final class HandOff<T> extends OutputStream {
  /** Bytes per hand-off. */
  public static final int CHUNK = 256 * 1024;
  /** Chunks that may wait for the consumer. */
  public static final int QUEUED_CHUNKS = 16;

  /** Reads the handed-off bytes on the consumer thread. */
  @FunctionalInterface
  public interface Consumer<T> {
    T consume(InputStream in) throws Exception;
  }

  private final byte[] end = new byte[0];
  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final Thread worker;
  private volatile T result;
  private volatile IOException failure;
  private volatile boolean stopped; // the consumer ended early and only drains now
  private volatile boolean abandoned; // no end marker will come: the consumer must not wait for one
  private byte[] chunk;
  private int filled;
  private boolean ended;
  private boolean cut; // a hand-over was interrupted: the consumer can never get the whole input

  /** Starts the consumer on a daemon thread called {@code threadName}. */
  public HandOff(String threadName, Consumer<T> consumer) {
    worker = new Thread(() -> run(consumer), threadName);
    worker.setDaemon(true);
    worker.start();
  }

  private void run(Consumer<T> consumer) {
    Input in = new Input();
    try {
      result = consumer.consume(in);
      in.drain();
    } catch (Exception | Error e) {
      failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
      stopped = true;
      if (!abandoned) {
        try {
          in.drain(); // so the writer never blocks on a full queue
        } catch (IOException ignored) {
          // interrupted: the writer is abandoning the transfer
        }
      }
    } finally {
      stopped = true;
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  /**
   * Queues the bytes for the consumer, or drops them once it has stopped.
   *
   * @throws InterruptedIOException when interrupted while the queue is full
   */
  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (ended) {
      throw new IOException("write after finish");
    }
    if (cut) {
      throw new InterruptedIOException("an earlier hand-over to " + worker.getName() + " was interrupted");
    }
    while (len > 0 && !stopped) {
      if (chunk == null) {
        chunk = new byte[CHUNK];
        filled = 0;
      }
      int n = Math.min(len, CHUNK - filled);
      System.arraycopy(b, off, chunk, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == CHUNK) {
        byte[] full = chunk;
        chunk = null;
        put(full);
      }
    }
  }

  /**
   * Ends the input, waits for the consumer and returns what it made.
   *
   * @throws IOException what the consumer threw (anything else it threw is wrapped in one)
   * @throws InterruptedIOException when a hand-over was interrupted, now or by an earlier write: the consumer never
   *     saw the whole input, so it is stopped and nothing it made is returned
   */
  public T finish() throws IOException {
    if (!ended) {
      ended = true;
      if (cut) { // never a result from part of the input
        stop();
        throw new InterruptedIOException("a hand-over to " + worker.getName() + " was interrupted");
      }
      try {
        if (chunk != null && filled > 0 && !stopped) {
          put(Arrays.copyOf(chunk, filled));
        }
        chunk = null;
        put(end);
      } catch (InterruptedIOException e) {
        stop();
        throw e;
      }
    }
    join();
    if (failure != null) {
      throw failure;
    }
    return result;
  }

  /** Stops the consumer unless {@link #finish()} ran, and waits for it; never throws. */
  @Override
  public void close() {
    if (!ended) {
      ended = true;
      stop();
    }
  }

  private void stop() {
    abandoned = true;
    worker.interrupt();
    join();
  }

  /** Waits for the consumer whatever interrupts come (its thread may still be using what the caller frees next). */
  private void join() {
    boolean interrupted = false;
    while (true) {
      try {
        worker.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        abandoned = true;
        worker.interrupt();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void put(byte[] c) throws InterruptedIOException {
    try {
      queue.put(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cut = true;
      throw new InterruptedIOException("interrupted while handing bytes to " + worker.getName());
    }
  }

  /**
   * The consumer's side: a blocking stream whose {@link #available()} waits for the next chunk, so that {@link
   * java.util.zip.GZIPInputStream} sees the same "more input follows" answer as from a file and reads concatenated
   * gzip members exactly as a file read would.
   */
  private final class Input extends InputStream {
    private byte[] current = new byte[0];
    private int pos;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() throws IOException {
      return fill() ? current.length - pos : 0;
    }

    void drain() throws IOException {
      while (fill()) {
        pos = current.length;
      }
    }

    private boolean fill() throws IOException {
      while (!eof && pos == current.length) {
        byte[] next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          throw new InterruptedIOException(worker.getName() + " cancelled");
        }
        if (next == end) {
          eof = true;
        } else {
          current = next;
          pos = 0;
        }
      }
      return !eof;
    }
  }
}

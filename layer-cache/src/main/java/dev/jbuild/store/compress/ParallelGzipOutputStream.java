package dev.jbuild.store.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip over all cores, the way pigz does it: the input is cut into blocks (128 KiB by default), each block is raw
 * deflated at level 6 on a worker with the previous 32 KiB of input as its dictionary, non-final blocks end on a
 * byte boundary ({@code SYNC_FLUSH}) so their outputs simply concatenate, and the result is one ordinary gzip member
 * (header with mtime 0, no name, OS 255; CRC-32 and ISIZE trailer) that any gunzip reads.
 *
 * <p>The output depends only on the input and the block size, never on the thread count or on scheduling: each
 * block's bytes are a function of (dictionary, block, is-last), and blocks are written in order. A block is only
 * cut when more input arrives after it is full, so calls to {@link #write} may split the input anywhere.
 *
 * <p>Memory is bounded: at most twice as many blocks as threads are in flight; {@link #write} waits for the oldest
 * one when that many are. The CRC is computed on the writing thread (the JDK's CRC32 is an intrinsic running at
 * several GB/s, so it is not worth combining per-block CRCs).
 *
 * <pre>{@code
 * try (OutputStream gz = new ParallelGzipOutputStream(Files.newOutputStream(target))) {
 *   tar.transferTo(gz);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one thread writes. {@link #close()} finishes the member and closes the target; {@link
 * #finish()} finishes it and leaves the target open.
 */
public final class ParallelGzipOutputStream extends OutputStream {
  /** pigz's default block size. */
  public static final int DEFAULT_BLOCK_SIZE = 128 * 1024;
  /** gzip's and pigz's default level. */
  public static final int LEVEL = 6;

  private static final int WINDOW = 32 * 1024;
  private static final int MIN_BLOCK_SIZE = 1024;
  private static final byte[] HEADER = {
    0x1f, (byte) 0x8b, 8 /* deflate */, 0 /* no flags */, 0, 0, 0, 0 /* mtime 0 */, 0 /* xfl */, (byte) 255 /* OS */
  };

  private final OutputStream out;
  private final int blockSize;
  private final int maxInFlight;
  private final ExecutorService pool;
  private final ArrayDeque<Future<Compressed>> inFlight = new ArrayDeque<>();
  // Workers and the writer hand these back and forth; pooling keeps a multi-GB stream from churning the heap.
  private final ConcurrentLinkedQueue<Deflater> deflaters = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<byte[]> freeInputs = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<byte[]> freeOutputs = new ConcurrentLinkedQueue<>();
  private final CRC32 crc = new CRC32();
  private final byte[] window = new byte[WINDOW];
  private int windowLen;
  private byte[] current;
  private int fill;
  private long total;
  private boolean headerWritten;
  private boolean finished;
  private boolean closed;
  private IOException failure;

  /** One thread per available processor, 128 KiB blocks. */
  public ParallelGzipOutputStream(OutputStream out) {
    this(out, Runtime.getRuntime().availableProcessors());
  }

  /** {@code threads} compressing threads (at least 1), 128 KiB blocks. */
  public ParallelGzipOutputStream(OutputStream out, int threads) {
    this(out, threads, DEFAULT_BLOCK_SIZE);
  }

  /**
   * {@code threads} compressing threads and blocks of {@code blockSize} bytes (at least 1 KiB). The output
   * changes with the block size, not with the thread count.
   */
  public ParallelGzipOutputStream(OutputStream out, int threads, int blockSize) {
    this.out = Objects.requireNonNull(out, "out");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
    if (blockSize < MIN_BLOCK_SIZE) {
      throw new IllegalArgumentException("blockSize must be at least " + MIN_BLOCK_SIZE + ", not " + blockSize);
    }
    this.blockSize = blockSize;
    this.maxInFlight = 2 * threads;
    this.pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        new Workers());
    this.current = new byte[blockSize];
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (fill == blockSize) {
      submit(false);
    }
    current[fill++] = (byte) b;
    crc.update(b);
    total++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    crc.update(b, off, len);
    total += len;
    while (len > 0) {
      if (fill == blockSize) {
        submit(false); // only now: a full block followed by nothing more must become the final block
      }
      int n = Math.min(len, blockSize - fill);
      System.arraycopy(b, off, current, fill, n);
      fill += n;
      off += n;
      len -= n;
    }
  }

  /**
   * Writes every block handed to the workers so far and flushes the target. The partly filled block is kept (it is
   * not flushed as a short block), so flushing never changes the output.
   */
  @Override
  public void flush() throws IOException {
    if (finished && !closed) {
      out.flush();
      return;
    }
    ensureOpen();
    while (!inFlight.isEmpty()) {
      writeOldest();
    }
    out.flush();
  }

  /** Compresses what is left, writes the trailer and flushes, leaving the target open. Idempotent. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    ensureOpen();
    submit(true);
    while (!inFlight.isEmpty()) {
      writeOldest();
    }
    byte[] trailer = new byte[8];
    putIntLe(trailer, 0, (int) crc.getValue());
    putIntLe(trailer, 4, (int) total); // ISIZE is the length modulo 2^32
    try {
      out.write(trailer);
      out.flush();
    } catch (IOException e) {
      throw fail(e);
    }
    finished = true;
    shutdown();
  }

  /** Finishes the gzip member (when no error came before) and closes the target. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (failure == null && !finished) {
        finish();
      }
    } finally {
      closed = true;
      shutdown();
      out.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (failure != null) {
      throw new IOException("parallel gzip failed earlier: " + failure.getMessage(), failure);
    }
    if (closed || finished) {
      throw new IOException("the gzip stream is already finished");
    }
  }

  private void submit(boolean last) throws IOException {
    if (!headerWritten) {
      try {
        out.write(HEADER);
      } catch (IOException e) {
        throw fail(e);
      }
      headerWritten = true;
    }
    byte[] input = current;
    int len = fill;
    byte[] dict = windowLen == 0 ? null : Arrays.copyOf(window, windowLen);
    slide(input, len);
    try {
      inFlight.add(pool.submit(() -> compress(input, len, dict, last)));
    } catch (RuntimeException e) {
      throw fail(new IOException("cannot schedule a gzip block: " + e, e));
    }
    if (!last) {
      byte[] next = freeInputs.poll();
      current = next != null ? next : new byte[blockSize];
      fill = 0;
    }
    while (!inFlight.isEmpty() && (inFlight.size() >= maxInFlight || inFlight.peekFirst().isDone())) {
      writeOldest();
    }
  }

  /** Keeps the last 32 KiB of input, the window the next block may refer back into. */
  private void slide(byte[] input, int len) {
    if (len >= WINDOW) {
      System.arraycopy(input, len - WINDOW, window, 0, WINDOW);
      windowLen = WINDOW;
      return;
    }
    int keep = Math.min(windowLen, WINDOW - len);
    System.arraycopy(window, windowLen - keep, window, 0, keep);
    System.arraycopy(input, 0, window, keep, len);
    windowLen = keep + len;
  }

  private void writeOldest() throws IOException {
    Future<Compressed> head = inFlight.pollFirst();
    Compressed block;
    try {
      block = head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(new InterruptedIOException("interrupted while waiting for a gzip block"));
    } catch (ExecutionException e) {
      throw fail(new IOException("compressing a gzip block failed: " + e.getCause(), e.getCause()));
    }
    try {
      out.write(block.bytes, 0, block.length);
    } catch (IOException e) {
      throw fail(e);
    }
    freeOutputs.offer(block.bytes);
  }

  private IOException fail(IOException e) {
    failure = e;
    for (Future<Compressed> f : inFlight) {
      f.cancel(false);
    }
    inFlight.clear();
    shutdown();
    return e;
  }

  private void shutdown() {
    pool.shutdown();
    // After a normal finish every task is done and its Deflater is back here. After a failure a late worker may
    // still hold one; the Deflater's cleaner frees that.
    for (Deflater d; (d = deflaters.poll()) != null; ) {
      d.end();
    }
  }

  /** Runs on a worker: raw deflate of one block, primed with the window before it. */
  private Compressed compress(byte[] input, int len, byte[] dict, boolean last) {
    Deflater d = deflaters.poll();
    if (d == null) {
      d = new Deflater(LEVEL, true);
    }
    try {
      d.reset();
      if (dict != null) {
        d.setDictionary(dict);
      }
      d.setInput(input, 0, len);
      if (last) {
        d.finish();
      }
      byte[] buf = freeOutputs.poll();
      int bound = len + (len >> 8) + 64;
      if (buf == null || buf.length < bound) {
        buf = new byte[Math.max(bound, blockSize + (blockSize >> 8) + 64)];
      }
      int n = 0;
      while (true) {
        n += d.deflate(buf, n, buf.length - n, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
        // SYNC_FLUSH is complete once it leaves output space unused; FINISH once the stream says so.
        boolean done = last ? d.finished() : n < buf.length;
        if (done) {
          break;
        }
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
      }
      return new Compressed(buf, n);
    } finally {
      deflaters.offer(d);
      freeInputs.offer(input);
    }
  }

  private static void putIntLe(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  private record Compressed(byte[] bytes, int length) {}

  private static final class Workers implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "parallel-gzip-" + count.incrementAndGet());
      t.setDaemon(true); // an abandoned stream must not keep the JVM alive
      return t;
    }
  }
}

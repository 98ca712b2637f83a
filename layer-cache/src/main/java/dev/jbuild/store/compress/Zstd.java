package dev.jbuild.store.compress;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * zstd through zstd-jni (the reference C library; the native code ships inside the jar, no zstd binary needed).
 *
 * <p>Determinism: level 3, no content checksum, no content size (a stream has none) and no dictionary, so equal
 * input gives equal output for one zstd-jni version (the version is pinned in the root pom). Workers are used: in
 * libzstd's multi-threaded mode the frame is cut into jobs whose size depends only on the parameters, never on the
 * worker count, so 1, 2 or 8 workers write the same bytes ({@code ZstdTest} checks it). Multi-threaded output does
 * differ from single-threaded mode (0 workers), which is why the worker count is never 0 here. The stream must not
 * be flushed part-way: a flush ends a block early and would make the output depend on the caller.
 *
 * <p>Decompression caps the window at 64 MiB (window log 26): a frame asking for more is refused instead of making
 * this process allocate it (CASES L31).
 */
public final class Zstd {
  /** The level jbuild writes zstd layers at, the zstd CLI's default. */
  public static final int LEVEL = 3;
  /** The largest window a frame may ask the decoder for: 2^26 bytes, 64 MiB. */
  public static final int MAX_WINDOW_LOG = 26;

  private Zstd() {}

  /** A compressing stream over {@code out}, with one worker per available processor; closing it closes {@code out}. */
  public static OutputStream compressing(OutputStream out) throws IOException {
    return compressing(out, Runtime.getRuntime().availableProcessors());
  }

  /** As {@link #compressing(OutputStream)} with {@code workers} threads (at least 1; the output does not change). */
  public static OutputStream compressing(OutputStream out, int workers) throws IOException {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, not " + workers);
    }
    ZstdOutputStream z = new ZstdOutputStream(out);
    z.setLevel(LEVEL);
    z.setChecksum(false);
    z.setWorkers(workers);
    return new NoFlush(z);
  }

  /** A decompressing stream over {@code in} that refuses frames whose window is larger than 64 MiB. */
  public static InputStream decompressing(InputStream in) throws IOException {
    ZstdInputStream z = new ZstdInputStream(in);
    z.setLongMax(MAX_WINDOW_LOG);
    return z;
  }

  /**
   * A flush of a zstd stream ends the current block early, so the bytes would depend on when a caller (a tar
   * writer, a buffered stream) happens to flush. Flushes are dropped; close still ends the frame and flushes.
   */
  private static final class NoFlush extends java.io.FilterOutputStream {
    NoFlush(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() {
      // see the class comment
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}

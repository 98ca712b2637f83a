package dev.jbuild.store.compress;

import dev.jbuild.oci.MediaType;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Opens a layer for reading whatever its media type claims: the first bytes decide (gzip {@code 1f 8b}, zstd
 * {@code 28 b5 2f fd}, anything else is read as it is), since a registry's media type is only a claim. The
 * uncompressed size is capped, so a small blob that expands without end (CASES L30) stops with an error.
 *
 * <pre>{@code
 * try (InputStream tar = Decompress.open(store.blobs().open(digest), 64L << 30)) {
 *   extract(tar);
 * }
 * }</pre>
 */
public final class Decompress {
  private static final int GZIP_BUFFER = 64 * 1024;

  private Decompress() {}

  /**
   * The decompressed content of {@code raw}. Reading past {@code maxUncompressed} bytes throws an {@link
   * IOException}; a zstd frame asking for a window above 64 MiB is refused. Closing the result closes {@code raw}.
   */
  public static InputStream open(InputStream raw, long maxUncompressed) throws IOException {
    Objects.requireNonNull(raw, "raw");
    if (maxUncompressed < 0) {
      throw new IllegalArgumentException("maxUncompressed must not be negative: " + maxUncompressed);
    }
    InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, GZIP_BUFFER);
    InputStream decoded;
    refuseXzAndBzip2(in);
    switch (detect(in)) {
      case GZIP -> decoded = new GZIPInputStream(in, GZIP_BUFFER);
      case ZSTD -> decoded = new ZstdWindowMessage(Zstd.decompressing(in));
      default -> decoded = in;
    }
    return new Capped(decoded, maxUncompressed);
  }

  /**
   * xz and bzip2 would otherwise pass through as "plain" and fail later as a broken tar; no image manifest can
   * describe them, so say what they are.
   */
  private static void refuseXzAndBzip2(InputStream in) throws IOException {
    in.mark(6);
    byte[] head;
    try {
      head = in.readNBytes(6);
    } finally {
      in.reset();
    }
    boolean xz = head.length == 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
        && head[4] == 'Z' && head[5] == 0;
    boolean bzip2 = head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h';
    if (xz || bzip2) {
      throw new IOException("layer is " + (xz ? "xz" : "bzip2")
          + " compressed; only gzip, zstd and plain tar are supported");
    }
  }

  /** Which compression the stream starts with; the stream must support mark (its position is unchanged). */
  public static MediaType.Compression detect(InputStream in) throws IOException {
    if (!in.markSupported()) {
      throw new IllegalArgumentException("detect needs a stream that supports mark/reset");
    }
    in.mark(4);
    byte[] head;
    try {
      head = in.readNBytes(4);
    } finally {
      in.reset();
    }
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return MediaType.Compression.GZIP;
    }
    if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return MediaType.Compression.ZSTD;
    }
    return MediaType.Compression.NONE;
  }

  /** Throws once more than {@code max} bytes come out. */
  private static final class Capped extends FilterInputStream {
    private final long max;
    private long count;

    Capped(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      // Ask for at most one byte past the cap, so a bomb is caught without inflating much of it.
      long room = max - count + 1;
      int n = in.read(b, off, (int) Math.min(len, Math.max(1, room)));
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(Math.min(n, max - count + 1));
      if (s > 0) {
        count(s);
      }
      return s;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    private void count(long n) throws IOException {
      count += n;
      if (count > max) {
        throw new IOException("layer expands beyond " + max + " bytes; refusing a possible decompression bomb");
      }
    }
  }

  /** Names the limit when libzstd refuses a frame's window, instead of its terse "too much memory". */
  private static final class ZstdWindowMessage extends FilterInputStream {
    ZstdWindowMessage(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        throw explain(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw explain(e);
      }
    }

    private static IOException explain(IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("too much memory") || m.contains("indowLog") || m.contains("indow size")) {
        return new IOException("zstd frame needs a window larger than " + (1 << Zstd.MAX_WINDOW_LOG)
            + " bytes (window log " + Zstd.MAX_WINDOW_LOG + "); refusing it: " + m, e);
      }
      return e;
    }
  }
}

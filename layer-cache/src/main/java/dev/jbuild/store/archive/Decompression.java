package dev.jbuild.store.archive;

import dev.jbuild.store.compress.Decompress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/** Recognises gzip, zstd and xz by their magic numbers and decompresses them; anything else passes through. */
final class Decompression {
  private static final int BUFFER = 1 << 16;
  private static final Path XZ = Path.of("/usr/bin/xz");

  /** How a stream is compressed, as its first bytes say. */
  enum Kind {
    NONE,
    GZIP,
    ZSTD,
    XZ
  }

  private Decompression() {}

  /** Looks at the first bytes of {@code in}, which must support mark/reset, without consuming them. */
  static Kind sniff(InputStream in) throws IOException {
    if (isXz(in)) {
      return Kind.XZ;
    }
    return switch (Decompress.detect(in)) {
      case GZIP -> Kind.GZIP;
      case ZSTD -> Kind.ZSTD;
      case NONE -> Kind.NONE;
    };
  }

  private static boolean isXz(InputStream in) throws IOException {
    in.mark(8);
    byte[] m = in.readNBytes(6);
    in.reset();
    return m.length == 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z'
        && m[5] == 0;
  }

  /**
   * The decompressed content of {@code raw}, whatever its compression; closing it closes {@code raw}. gzip and zstd
   * go through the store's {@link Decompress}, so archives get the same zstd window cap (case L31) as layers.
   */
  static InputStream open(InputStream raw) throws IOException {
    InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, BUFFER);
    return isXz(in) ? xz(in) : Decompress.open(in, Long.MAX_VALUE);
  }

  /**
   * xz through the host's {@code xz} (fixed path): it is rare for images, and commons-compress would need another
   * library for it.
   */
  private static InputStream xz(InputStream in) throws IOException {
    if (!Files.isExecutable(XZ)) {
      throw new IOException("the input is xz-compressed, which needs " + XZ + " (Debian package xz-utils);"
          + " or decompress it first with xz -d");
    }
    ProcessBuilder pb = new ProcessBuilder(XZ.toString(), "-d", "-c", "-q");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process proc = pb.start();
    AtomicReference<IOException> feedError = new AtomicReference<>();
    Thread feeder = new Thread(() -> {
      try (OutputStream stdin = proc.getOutputStream()) {
        in.transferTo(stdin);
      } catch (IOException e) {
        feedError.set(e);
      }
    }, "xz-feeder");
    feeder.setDaemon(true);
    feeder.start();
    return new java.io.FilterInputStream(proc.getInputStream()) {
      private boolean ended;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
          finish();
        }
        return n;
      }

      @Override
      public int read() throws IOException {
        int n = super.read();
        if (n < 0) {
          finish();
        }
        return n;
      }

      private void finish() throws IOException {
        if (ended) {
          return;
        }
        ended = true;
        try {
          feeder.join();
          if (proc.waitFor() != 0) {
            throw new IOException("xz -d failed (exit " + proc.exitValue() + "): the input is not valid xz");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for xz");
        }
        if (feedError.get() != null) {
          throw feedError.get();
        }
      }

      @Override
      public void close() throws IOException {
        proc.destroy();
        super.close();
        in.close();
      }
    };
  }
}

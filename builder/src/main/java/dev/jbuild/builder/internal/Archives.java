package dev.jbuild.builder.internal;

import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.compress.Decompress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The local archives ADD unpacks, recognised by content as docker does (never by name): a tar, plain or compressed
 * with gzip, bzip2, xz or zstd. Unpacking goes through the store's {@link LayerApplier} into a scratch directory, so
 * a hostile archive gets the layer guarantees (cases L01-L15 via B16): nothing outside that directory is touched,
 * sizes and entry counts are capped, and decompression bombs stop at the cap.
 */
final class Archives {
  /** xz's decoder may allocate up to this much for its dictionary; larger settings are refused. */
  private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;
  private static final int HEAD = 6;

  private Archives() {}

  /** Whether {@code file} (a regular file) is a tar archive, possibly compressed. */
  static boolean isArchive(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (InputStream in = open(file, 1 << 20)) {
      byte[] header = in.readNBytes(512);
      return header.length == 512 && validTarHeader(header);
    } catch (IOException e) {
      return false; // corrupt compressed data or a header we cannot read: a plain file to docker as well
    }
  }

  /**
   * Unpacks the archive into {@code into} (an existing empty directory) with the layer applier's guarantees;
   * whiteout entries ({@code .wh.*}) delete within {@code into} only.
   */
  static void unpack(Path file, Path into, ApplyOptions options) throws IOException {
    try (InputStream tar = open(file, options.maxBytes())) {
      LayerApplier.apply(tar, into, options.withWhiteouts(ApplyOptions.Whiteouts.DELETE));
    } catch (dev.jbuild.store.apply.LayerApplyException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The uncompressed stream of {@code file}, whatever it is compressed with. */
  private static InputStream open(Path file, long maxBytes) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 1 << 16);
    try {
      raw.mark(HEAD);
      byte[] h = raw.readNBytes(HEAD);
      raw.reset();
      if (h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
        return new BZip2CompressorInputStream(raw, true);
      }
      if (h.length == HEAD && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z'
          && h[5] == 0) {
        return new XZCompressorInputStream(raw, true, XZ_MEMORY_LIMIT_KIB);
      }
      // gzip, zstd (window-capped) or plain, with the uncompressed size capped.
      return Decompress.open(raw, maxBytes);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** A ustar/GNU/v7 header whose checksum holds: what Go's tar reader accepts as a first entry. */
  static boolean validTarHeader(byte[] h) {
    long stored = 0;
    boolean digits = false;
    for (int i = 148; i < 156; i++) {
      int c = h[i] & 0xff;
      if (c >= '0' && c <= '7') {
        stored = stored * 8 + (c - '0');
        digits = true;
      } else if (c == 0 || c == ' ') {
        if (digits) {
          break;
        }
      } else {
        return false;
      }
    }
    if (!digits) {
      return false;
    }
    long unsigned = 0;
    for (int i = 0; i < 512; i++) {
      unsigned += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    return unsigned == stored;
  }
}

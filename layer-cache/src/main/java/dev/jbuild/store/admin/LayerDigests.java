package dev.jbuild.store.admin;

import com.github.luben.zstd.ZstdInputStream;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Hashes files: a blob as stored, or a layer after decompression (its diffID). Results are remembered per blob,
 * since many images share layers. Files are opened without following symlinks.
 */
final class LayerDigests {
  private final Map<String, Digest> diffIds = new HashMap<>();

  /** The digest of {@code file}'s bytes, in {@code algorithm}. */
  static Digest hash(Path file, String algorithm) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return drain(in, algorithm);
    }
  }

  /**
   * The sha256 of the uncompressed content of a layer blob; throws when it does not decompress (a truncated gzip
   * stream, a zstd frame cut short).
   */
  Digest diffId(Digest blob, Path file, MediaType.Compression compression) throws IOException {
    String key = blob + "/" + compression;
    Digest known = diffIds.get(key);
    if (known != null) {
      return known;
    }
    Digest d;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 1 << 16);
        InputStream in = decompress(raw, compression)) {
      d = drain(in, Digest.SHA256);
    }
    diffIds.put(key, d);
    return d;
  }

  private static InputStream decompress(InputStream raw, MediaType.Compression compression) throws IOException {
    switch (compression) {
      case GZIP:
        return new GZIPInputStream(raw, 1 << 16);
      case ZSTD:
        try {
          return new ZstdInputStream(raw);
        } catch (LinkageError e) {
          throw new IOException("zstd is unavailable on this platform (" + e.getMessage() + ")", e);
        }
      default:
        return raw;
    }
  }

  private static Digest drain(InputStream in, String algorithm) throws IOException {
    MessageDigest hasher;
    try {
      hasher = MessageDigest.getInstance(Digest.SHA256.equals(algorithm) ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no " + algorithm, e);
    }
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) >= 0) {
      hasher.update(buf, 0, n);
    }
    return Digest.of(algorithm + ":" + HexFormat.of().formatHex(hasher.digest()));
  }
}

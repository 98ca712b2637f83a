package dev.jbuild.testing;

import dev.jbuild.store.compress.Decompress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks for a secret value anywhere under a directory (a store root): in every regular file byte-wise, and in the
 * decompressed content of every gzip or zstd file (layer blobs), so a leak cannot hide in a compressed layer.
 */
public final class SecretScan {
  private static final long MAX_DECOMPRESSED = 8L << 30;

  private SecretScan() {}

  /** The files under {@code root} whose bytes, raw or decompressed, contain {@code needle}. */
  public static List<Path> filesContaining(Path root, byte[] needle) throws IOException {
    if (needle.length == 0) {
      throw new IllegalArgumentException("an empty needle is found everywhere");
    }
    List<Path> hits = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isRegularFile()) {
          return FileVisitResult.CONTINUE;
        }
        boolean found;
        try (InputStream in = Files.newInputStream(file)) {
          found = contains(in, needle);
        }
        if (!found) {
          try (InputStream in = Decompress.open(Files.newInputStream(file), MAX_DECOMPRESSED)) {
            found = contains(in, needle);
          } catch (IOException e) {
            // not a compressed stream, or one in a format no layer uses (xz): the raw bytes were searched
          }
        }
        if (found) {
          hits.add(file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return hits;
  }

  /** Streams {@code in} looking for {@code needle}, keeping only a needle-sized overlap between reads. */
  static boolean contains(InputStream in, byte[] needle) throws IOException {
    byte[] buf = new byte[64 * 1024 + needle.length];
    int kept = 0;
    int n;
    while ((n = in.read(buf, kept, buf.length - kept)) > 0) {
      int len = kept + n;
      for (int i = 0; i + needle.length <= len; i++) {
        if (matchesAt(buf, i, needle)) {
          return true;
        }
      }
      kept = Math.min(needle.length - 1, len);
      System.arraycopy(buf, len - kept, buf, 0, kept);
    }
    return false;
  }

  private static boolean matchesAt(byte[] buf, int at, byte[] needle) {
    for (int j = 0; j < needle.length; j++) {
      if (buf[at + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }
}

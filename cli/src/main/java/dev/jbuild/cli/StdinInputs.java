package dev.jbuild.cli;

import dev.jbuild.store.StoreException;
import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code -f -} and the context {@code -} of {@code jbuild build}: what arrives on stdin is written to a temporary
 * directory of this process, which {@link #close()} deletes.
 *
 * <p>A context on stdin is a tar (plain, gzip or zstd), unpacked by the store's layer applier, which keeps every
 * entry inside the directory and caps size and entry count; or, as with {@code docker build - < Dockerfile}, a
 * Dockerfile alone, with an empty context.
 */
final class StdinInputs implements AutoCloseable {
  /** The Dockerfile cap of the builder. */
  static final long MAX_DOCKERFILE = 10L << 20;
  /** Caps on a context tar: 8 GiB uncompressed and a million entries. */
  static final long MAX_CONTEXT_BYTES = 8L << 30;
  static final long MAX_CONTEXT_ENTRIES = 1_000_000L;

  private final Path dir;

  private StdinInputs(Path dir) {
    this.dir = dir;
  }

  static StdinInputs create() throws IOException {
    return new StdinInputs(Files.createTempDirectory("jbuild-stdin-"));
  }

  /** Writes the Dockerfile read from {@code in} beside (not in) any context, and returns its path. */
  Path dockerfile(InputStream in) throws IOException {
    byte[] source = readCapped(in, MAX_DOCKERFILE, "the Dockerfile on stdin");
    Path file = dir.resolve("Dockerfile");
    Files.write(file, source);
    return file;
  }

  /**
   * The context read from {@code in}: a tar unpacked into a new directory, or an empty directory when stdin held
   * a Dockerfile, which then is written to {@code dockerfile()} of the result.
   */
  Context context(InputStream raw) throws IOException, StoreException {
    Path root = Files.createDirectory(dir.resolve("context"));
    BufferedInputStream in = new BufferedInputStream(LayerApplier.decompressed(raw, MAX_CONTEXT_BYTES), 1 << 16);
    in.mark(512);
    byte[] head = in.readNBytes(512);
    in.reset();
    if (isTar(head)) {
      ApplyOptions options = ApplyOptions.defaults().withSameOwner(false).withRootless(true)
          .withMaxBytes(MAX_CONTEXT_BYTES).withMaxEntries(MAX_CONTEXT_ENTRIES);
      LayerApplier.apply(in, root, options);
      return new Context(root, null);
    }
    return new Context(root, dockerfile(in));
  }

  /** @param dockerfile the Dockerfile stdin held instead of a tar, or null */
  record Context(Path dir, Path dockerfile) {}

  /** A tar header: "ustar" magic at 257 (POSIX and GNU), and a checksum that matches. */
  static boolean isTar(byte[] head) {
    if (head.length < 512) {
      return false;
    }
    String magic = new String(head, 257, 5, StandardCharsets.US_ASCII);
    if (!magic.equals("ustar")) {
      return false;
    }
    String field = new String(head, 148, 8, StandardCharsets.US_ASCII).replace('\0', ' ').strip();
    long declared;
    try {
      declared = Long.parseLong(field, 8);
    } catch (NumberFormatException e) {
      return false;
    }
    byte[] copy = Arrays.copyOf(head, 512);
    Arrays.fill(copy, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : copy) {
      sum += b & 0xff;
    }
    return sum == declared;
  }

  private static byte[] readCapped(InputStream in, long cap, String what) throws IOException {
    byte[] data = in.readNBytes((int) cap + 1);
    if (data.length > cap) {
      throw new Errors.UserError(what + " is larger than " + (cap >> 20) + " MiB");
    }
    return data;
  }

  @Override
  public void close() throws IOException {
    LayerApplier.deleteTree(dir);
  }
}

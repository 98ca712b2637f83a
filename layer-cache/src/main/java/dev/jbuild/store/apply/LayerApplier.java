package dev.jbuild.store.apply;

import dev.jbuild.store.compress.Decompress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Applies an untrusted layer tar to a root directory without ever creating, changing, deleting or reading anything
 * outside it (see the package documentation for the policy).
 *
 * <pre>{@code
 * try (InputStream blob = Files.newInputStream(layerFile)) {
 *   ApplyResult r = LayerApplier.apply(LayerApplier.decompressed(blob, 8L << 30), rootfs, ApplyOptions.defaults());
 * }
 * }</pre>
 */
public final class LayerApplier {
  /** zstd frames may not declare a window above 2^26 = 64 MiB (L31): the decoder would allocate it up front. */
  public static final int ZSTD_MAX_WINDOW_LOG = dev.jbuild.store.compress.Zstd.MAX_WINDOW_LOG;

  private LayerApplier() {}

  /**
   * Applies the uncompressed tar {@code tar} into {@code root}, an existing directory that nothing else writes
   * meanwhile. Reads the stream to its end, past the end-of-archive marker, so that a digest computed over it
   * covers the whole blob. The stream is not closed. On error the root is left partly applied: apply into a
   * scratch directory and discard it on failure.
   *
   * @throws LayerApplyException for an entry that is malformed or unsafe, or a cap exceeded; names the entry
   * @throws IOException when the root cannot be read or the stream fails outside any entry
   */
  public static ApplyResult apply(InputStream tar, Path root, ApplyOptions options)
      throws IOException, LayerApplyException {
    return apply(tar, root, options, h -> { });
  }

  /**
   * What a tar header says of one entry, read the way {@link #apply} reads it: PAX records and GNU long names
   * resolved, {@code type} the type flag with the old regular-file flags folded into {@code '0'} (and a
   * {@code '\0'} entry whose name ends in "/" read as a directory, {@code '5'}), {@code mode} the permission bits.
   */
  public record Header(String name, char type, int mode, long uid, long gid, long mtimeSeconds, int mtimeNanos,
      String linkName) {}

  /**
   * As {@link #apply(InputStream, Path, ApplyOptions)}, handing every entry's header to {@code headers} as it is
   * read, so one pass over a layer both extracts it and learns what it holds.
   */
  public static ApplyResult apply(InputStream tar, Path root, ApplyOptions options, Consumer<Header> headers)
      throws IOException, LayerApplyException {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(tar, "tar");
    Objects.requireNonNull(options, "options");
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("apply root " + root + " is not a directory");
    }
    Extraction x = new Extraction(root.toRealPath(), options);
    TarReader reader = new TarReader(tar, options.maxBytes());
    long entries = 0;
    TarReader.Entry e;
    while ((e = reader.next()) != null) {
      if (++entries > options.maxEntries()) {
        throw new LayerApplyException(e.name(), "layer has more than " + options.maxEntries() + " entries");
      }
      headers.accept(header(e));
      try {
        x.apply(e, reader);
      } catch (IOException ex) {
        throw new LayerApplyException(e.name(), ex.toString(), ex);
      }
    }
    reader.drain();
    x.finish();
    return new ApplyResult(entries, reader.bytesRead(), x.warnings());
  }

  /**
   * Reads the headers of the uncompressed tar {@code tar} without extracting anything, with the same reader (and
   * the same refusals of malformed input) as {@link #apply}, to the end of the stream.
   */
  public static void readHeaders(InputStream tar, long maxBytes, Consumer<Header> headers)
      throws IOException, LayerApplyException {
    TarReader reader = new TarReader(tar, maxBytes);
    TarReader.Entry e;
    while ((e = reader.next()) != null) {
      headers.accept(header(e));
    }
    reader.drain();
  }

  private static Header header(TarReader.Entry e) {
    return new Header(e.name(), e.type(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), e.mtimeNanos(),
        e.linkName());
  }

  /**
   * Wraps a layer blob so that it reads as an uncompressed tar: gzip ({@code 1f 8b}) and zstd ({@code 28 b5 2f fd})
   * are detected by their magic numbers, anything else is read as it is. Reading more than {@code
   * maxUncompressedBytes} throws (decompression bombs, L30), and zstd frames declaring a window above 64 MiB are
   * refused before the decoder allocates it (L31). xz and bzip2 are refused: layers do not use them.
   */
  public static InputStream decompressed(InputStream raw, long maxUncompressedBytes) throws IOException {
    return Decompress.open(raw, maxUncompressedBytes);
  }

  /**
   * Deletes a tree that {@link #apply} produced, never following symlinks and opening up directories the current
   * user may not write.
   */
  public static void deleteTree(Path path) throws IOException {
    FsOps.deleteTree(path);
  }

}

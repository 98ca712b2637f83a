package dev.jbuild.store.tar;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes reproducible layer tars: the same entries and epoch always give the same bytes, whatever the machine, the
 * user or the time of day.
 *
 * <pre>{@code
 * List<LayerEntry> entries = LayerTarWriter.fromDirectory(upperDir);
 * LayerTarWriter.write(entries, out, Instant.ofEpochSecond(sourceDateEpoch));
 * }</pre>
 */
public final class LayerTarWriter {
  private static final int RECORD = 512;

  private LayerTarWriter() {}

  /**
   * Writes the entries as an uncompressed tar into {@code out} (not closed): sorted by path (component-wise, so a
   * directory's children follow it), PAX headers for long names, large values and xattrs, numeric uid/gid only,
   * no atime/ctime, mtimes truncated to seconds and clamped to {@code sourceDateEpoch} when non-null, and a
   * two-block end-of-archive with no further padding. Parent directories are not invented: the caller provides them.
   *
   * @throws IllegalArgumentException for duplicate paths or a hard link to a later entry
   * @throws IOException when a source file cannot be read or changed size while being written
   */
  public static void write(List<LayerEntry> entries, OutputStream out, Instant sourceDateEpoch) throws IOException {
    Objects.requireNonNull(out, "out");
    List<LayerEntry> sorted = sortAndCheck(entries);
    // A block size of one record: the archive ends right after the two zero blocks, as Go's archive/tar does.
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosingStream(out), RECORD, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    byte[] buffer = new byte[64 * 1024];
    for (LayerEntry e : sorted) {
      Instant mtime = archivedMtime(e.mtime(), sourceDateEpoch);
      TarArchiveEntry te = header(e, tarName(e), mtime);
      if (e.xattrs().isEmpty()) {
        tar.putArchiveEntry(te);
      } else {
        PaxHeaders.putWithRawPax(tar, e, te, mtime);
      }
      // Also for size 0 with a source: an empty file that gained content since the walk is an error too.
      if (e.type() == LayerEntry.Type.REGULAR && e.source() != null) {
        copyContent(e, tar, buffer);
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
    tar.flush();
  }

  /** Walks a directory tree into entries; see {@link DirectoryWalker}. The root itself is not an entry. */
  public static List<LayerEntry> fromDirectory(Path root) throws IOException {
    return DirectoryWalker.walk(root, "");
  }

  /**
   * Walks {@code root} into entries whose paths start with {@code prefix} (the in-layer path the root maps to;
   * "" for "/"). With a non-empty prefix the root directory itself becomes the entry {@code prefix}.
   */
  public static List<LayerEntry> fromDirectory(Path root, String prefix) throws IOException {
    return DirectoryWalker.walk(root, prefix);
  }

  /**
   * Walks an overlayfs upper directory into the entries of the layer it stands for, with overlay whiteouts and
   * opaque directories turned into OCI whiteout entries; see {@link OverlayUpper}.
   */
  public static List<LayerEntry> fromOverlayUpperdir(Path upper) throws IOException {
    return OverlayUpper.entries(upper);
  }

  /** The order entries are written in: component-wise, by code point ("a" < "a/b" < "a-b"). */
  public static int comparePaths(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        // "/" sorts before every other character, which makes the comparison component-wise.
        return ca == '/' ? -1 : cb == '/' ? 1 : Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  static List<LayerEntry> sortAndCheck(List<LayerEntry> entries) {
    List<LayerEntry> sorted = new ArrayList<>(entries);
    sorted.sort((x, y) -> comparePaths(x.path(), y.path()));
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      if (index.put(sorted.get(i).path(), i) != null) {
        throw new IllegalArgumentException("duplicate layer entry " + sorted.get(i).path());
      }
    }
    for (int i = 0; i < sorted.size(); i++) {
      LayerEntry e = sorted.get(i);
      if (e.type() == LayerEntry.Type.HARDLINK) {
        Integer target = index.get(e.linkTarget());
        // A target outside this layer is allowed (a file of a lower layer); one inside it must come first.
        if (target != null && target >= i) {
          throw new IllegalArgumentException(
              "hard link " + e.path() + " points at " + e.linkTarget() + ", which sorts after it");
        }
      }
    }
    return sorted;
  }

  /**
   * The mtime {@link #write} gives an entry whose file has {@code mtime}: clamped to {@code epoch} when that is not
   * null, then truncated to whole seconds.
   */
  public static Instant archivedMtime(Instant mtime, Instant epoch) {
    Instant t = epoch != null && mtime.isAfter(epoch) ? epoch : mtime;
    // Sub-second times would add a PAX mtime record per entry; whole seconds are what docker and BuildKit write.
    return t.truncatedTo(ChronoUnit.SECONDS);
  }

  /** Directories carry a trailing "/" in the tar, as docker and BuildKit write them. */
  static String tarName(LayerEntry e) {
    return e.type() == LayerEntry.Type.DIRECTORY ? e.path() + "/" : e.path();
  }

  static TarArchiveEntry header(LayerEntry e, String name, Instant mtime) {
    TarArchiveEntry te = new TarArchiveEntry(name, linkFlag(e.type()), false);
    te.setMode(e.mode());
    te.setUserId(e.uid());
    te.setGroupId(e.gid());
    // The constructor fills in the current user's name; a reproducible layer has none.
    te.setUserName("");
    te.setGroupName("");
    te.setModTime(FileTime.from(mtime));
    switch (e.type()) {
      case REGULAR -> te.setSize(e.size());
      case SYMLINK, HARDLINK -> te.setLinkName(e.linkTarget());
      case CHAR_DEVICE, BLOCK_DEVICE -> {
        te.setDevMajor(e.devMajor());
        te.setDevMinor(e.devMinor());
      }
      default -> { }
    }
    return te;
  }

  private static byte linkFlag(LayerEntry.Type type) {
    return switch (type) {
      case REGULAR -> TarConstants.LF_NORMAL;
      case DIRECTORY -> TarConstants.LF_DIR;
      case SYMLINK -> TarConstants.LF_SYMLINK;
      case HARDLINK -> TarConstants.LF_LINK;
      case FIFO -> TarConstants.LF_FIFO;
      case CHAR_DEVICE -> TarConstants.LF_CHR;
      case BLOCK_DEVICE -> TarConstants.LF_BLK;
    };
  }

  /** Streams exactly {@code size} bytes and fails if the file is no longer that size (it changed under us). */
  private static void copyContent(LayerEntry e, OutputStream tar, byte[] buffer) throws IOException {
    Path source = e.source();
    BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new IOException("source of " + e.path() + " (" + source + ") is no longer a regular file");
    }
    long remaining = e.size();
    // NOFOLLOW_LINKS: a file swapped for a symlink between walk and write must not pull in another file.
    try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
      while (remaining > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          throw new IOException("file " + source + " shrank while being written to the layer (expected "
              + e.size() + " bytes, got " + (e.size() - remaining) + ")");
        }
        tar.write(buffer, 0, n);
        remaining -= n;
      }
      if (in.read() >= 0) {
        throw new IOException("file " + source + " grew while being written to the layer (expected " + e.size()
            + " bytes)");
      }
    }
  }

  /** Lets the tar stream finish without closing the caller's stream. */
  private static final class NonClosingStream extends FilterOutputStream {
    NonClosingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}

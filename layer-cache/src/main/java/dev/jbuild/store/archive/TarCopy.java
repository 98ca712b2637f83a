package dev.jbuild.store.archive;

import dev.jbuild.store.apply.SparseMaps;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Re-serialises tar entries under a new name: type, mode, owner, times, link, device numbers and xattrs kept. */
final class TarCopy {
  private TarCopy() {}

  static TarArchiveOutputStream output(OutputStream out) {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out), TarConstants.DEFAULT_BLKSIZE, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    return tar;
  }

  /** A header like {@code e}'s, named {@code name} (and {@code linkName} for links), typed {@code flag}. */
  static TarArchiveEntry header(TarArchiveEntry e, String name, byte flag, String linkName, long size) {
    boolean dir = flag == TarConstants.LF_DIR;
    TarArchiveEntry h = new TarArchiveEntry(dir && !name.endsWith("/") ? name + "/" : name, flag);
    h.setMode(e.getMode());
    h.setUserId(e.getLongUserId());
    h.setGroupId(e.getLongGroupId());
    h.setUserName(e.getUserName() == null ? "" : e.getUserName());
    h.setGroupName(e.getGroupName() == null ? "" : e.getGroupName());
    h.setModTime(e.getModTime());
    if (linkName != null) {
      h.setLinkName(linkName);
    }
    if (flag == TarConstants.LF_CHR || flag == TarConstants.LF_BLK) {
      h.setDevMajor(e.getDevMajor());
      h.setDevMinor(e.getDevMinor());
    }
    if (flag == TarConstants.LF_NORMAL) {
      h.setSize(size);
    }
    for (Map.Entry<String, String> x : e.getExtraPaxHeaders().entrySet()) {
      if (x.getKey().startsWith("SCHILY.xattr.") || x.getKey().startsWith("LIBARCHIVE.xattr.")) {
        h.addPaxHeader(x.getKey(), x.getValue());
      }
    }
    return h;
  }

  /** What the sparse files of one tarball may add to it, as for a layer (DESIGN: the 64 GiB default cap). */
  static final long MAX_SPARSE_EXPANSION = dev.jbuild.store.apply.ApplyOptions.DEFAULT_MAX_BYTES;

  /**
   * The size a GNU sparse entry's content expands to (old GNU headers, PAX 0.0 and 0.1), once its map is checked to
   * describe it exactly: blocks in order, not overlapping, inside the real size, their lengths adding up to the bytes
   * stored. commons-compress reads a map that does not without complaint, past the entry into the next one. Star's
   * sparse format and GNU's 1.0 are refused.
   *
   * @param budget what sparse files may still add to the tarball, in its first element; reduced here
   */
  static long sparseSize(TarArchiveEntry e, String where, long[] budget) throws ArchiveException {
    if (e.isStarSparse()) {
      throw new ArchiveException(where + " is a sparse file in star's format, which jbuild does not read");
    }
    if (e.isPaxGNU1XSparse()) {
      // Its map opens the entry's data, where commons-compress reads it without saying how many bytes it took, so
      // the map cannot be checked against the entry; layers (read by jbuild's own reader) take this format.
      throw new ArchiveException(where + " is a sparse file in GNU format 1.0, which import and export do not read;"
          + " recreate the tarball with --sparse-version=0.1 (or without --sparse)");
    }
    long real = e.getRealSize();
    long stored = e.getSize();
    // commons-compress lists an old GNU header's unused slots too, as {0, 0}: they describe nothing.
    long[] map = e.getSparseHeaders().stream().filter(b -> b.getOffset() != 0 || b.getNumbytes() != 0)
        .flatMapToLong(b -> java.util.stream.LongStream.of(b.getOffset(), b.getNumbytes())).toArray();
    String problem = SparseMaps.problem(map, real, stored);
    if (problem != null) {
      throw new ArchiveException(where + ": " + problem);
    }
    if (real - stored > budget[0]) {
      throw new ArchiveException(where + ": its sparse files expand beyond " + MAX_SPARSE_EXPANSION + " bytes");
    }
    budget[0] -= real - stored;
    return real;
  }

  static void copy(InputStream in, OutputStream out, long size, String what) throws IOException {
    byte[] buf = new byte[256 * 1024];
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException(what + " is truncated");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  /** The caller owns the underlying stream. */
  static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
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

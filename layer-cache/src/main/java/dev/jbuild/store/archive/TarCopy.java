package dev.jbuild.store.archive;

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

package dev.jbuild.store.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A tar whose bytes depend only on what is put in it: numeric owner 0:0 with no user or group names, mtime 0,
 * fixed modes, PAX headers for long names and sizes beyond 8 GiB. The caller chooses (and sorts) the order.
 */
final class ReproducibleTar implements AutoCloseable {
  private final TarArchiveOutputStream tar;

  ReproducibleTar(OutputStream out) {
    this.tar = new TarArchiveOutputStream(new NonClosing(out), TarConstants.DEFAULT_BLKSIZE, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  void directory(String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
    stamp(e, 040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  void file(String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
    stamp(e, 0100644);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  /** Copies exactly {@code size} bytes of {@code content}; fewer is an error (the blob shrank or is corrupt). */
  void file(String name, long size, InputStream content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
    stamp(e, 0100644);
    e.setSize(size);
    tar.putArchiveEntry(e);
    byte[] buf = new byte[256 * 1024];
    long left = size;
    while (left > 0) {
      int n = content.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException(name + ": ended after " + (size - left) + " of " + size + " bytes");
      }
      tar.write(buf, 0, n);
      left -= n;
    }
    tar.closeArchiveEntry();
  }

  private static void stamp(TarArchiveEntry e, int mode) {
    e.setMode(mode);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(0L);
  }

  /** Writes the end-of-archive marker and flushes; the underlying stream stays open. */
  @Override
  public void close() throws IOException {
    tar.finish();
    tar.close();
  }

  /** Lets the caller decide when its stream (stdout, a temp file) is closed. */
  private static final class NonClosing extends java.io.FilterOutputStream {
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

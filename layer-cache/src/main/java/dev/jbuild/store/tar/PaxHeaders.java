package dev.jbuild.store.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * PAX extended headers written by hand, for entries with xattrs.
 *
 * <p>Why not {@code TarArchiveEntry.addPaxHeader}: commons-compress holds PAX values as Java strings and writes
 * them as UTF-8, but xattr values are raw bytes ({@code security.capability} is a binary struct), and GNU tar and
 * Go's archive/tar store {@code SCHILY.xattr.*} values byte for byte. So for such an entry this class writes the
 * complete 'x' header itself (path, linkpath, big numbers and the xattrs) and then has commons-compress write a
 * plain ustar header with its own PAX generation switched off for that one entry.
 */
final class PaxHeaders {
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final long MAX_OCTAL_7 = 07777777L;

  private PaxHeaders() {}

  static void putWithRawPax(TarArchiveOutputStream tar, LayerEntry e, TarArchiveEntry te, Instant mtime)
      throws IOException {
    String name = LayerTarWriter.tarName(e);
    Map<String, byte[]> records = new TreeMap<>();
    boolean longName = needsPax(name);
    if (longName) {
      records.put("path", utf8(name));
    }
    boolean longLink = e.linkTarget() != null && needsPax(e.linkTarget());
    if (longLink) {
      records.put("linkpath", utf8(e.linkTarget()));
    }
    putIfBig(records, "size", e.size(), MAX_OCTAL_11);
    putIfBig(records, "uid", e.uid(), MAX_OCTAL_7);
    putIfBig(records, "gid", e.gid(), MAX_OCTAL_7);
    putIfBig(records, "devmajor", e.devMajor(), MAX_OCTAL_7);
    putIfBig(records, "devminor", e.devMinor(), MAX_OCTAL_7);
    long seconds = mtime.getEpochSecond();
    if (seconds < 0 || seconds > MAX_OCTAL_11) {
      records.put("mtime", utf8(Long.toString(seconds)));
    }
    e.xattrs().forEach((k, v) -> records.put("SCHILY.xattr." + k, v));

    byte[] data = encode(records);
    String paxName = "./PaxHeaders.X/" + asciiOnly(name);
    if (paxName.length() >= TarConstants.NAMELEN) {
      paxName = paxName.substring(0, TarConstants.NAMELEN - 1);
    }
    TarArchiveEntry pax = new TarArchiveEntry(paxName, TarConstants.LF_PAX_EXTENDED_HEADER_LC, false);
    pax.setSize(data.length);
    pax.setMode(0644);
    pax.setUserName("");
    pax.setGroupName("");
    pax.setModTime(FileTime.from(mtime));
    tar.putArchiveEntry(pax);
    tar.write(data);
    tar.closeArchiveEntry();

    if (longName) {
      te.setName(placeholder(name));
    }
    if (longLink) {
      te.setLinkName(placeholder(e.linkTarget()));
    }
    // One entry with commons-compress's own PAX generation off: our header already says it all.
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
    tar.setAddPaxHeadersForNonAsciiNames(false);
    try {
      tar.putArchiveEntry(te);
    } finally {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
    }
  }

  /** Records as "LEN key=value\n", where LEN counts the whole record including its own digits. */
  static byte[] encode(Map<String, byte[]> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : records.entrySet()) {
      byte[] key = utf8(r.getKey());
      int body = 1 + key.length + 1 + r.getValue().length + 1; // " key=value\n"
      int len = body + Integer.toString(body).length();
      if (Integer.toString(len).length() != Integer.toString(body).length()) {
        len = body + Integer.toString(len).length();
      }
      out.writeBytes(utf8(Integer.toString(len)));
      out.write(' ');
      out.writeBytes(key);
      out.write('=');
      out.writeBytes(r.getValue());
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static boolean needsPax(String s) {
    return utf8(s).length > TarConstants.NAMELEN || !asciiOnly(s).equals(s);
  }

  private static void putIfBig(Map<String, byte[]> records, String key, long value, long max) {
    if (value > max) {
      records.put(key, utf8(Long.toString(value)));
    }
  }

  private static String placeholder(String name) {
    String ascii = asciiOnly(name);
    if (ascii.length() <= TarConstants.NAMELEN) {
      return ascii;
    }
    return name.endsWith("/") ? ascii.substring(0, TarConstants.NAMELEN - 1) + "/" : ascii.substring(0, TarConstants.NAMELEN);
  }

  private static String asciiOnly(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '_');
    }
    return b.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

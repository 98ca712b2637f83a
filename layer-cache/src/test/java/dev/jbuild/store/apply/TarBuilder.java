package dev.jbuild.store.apply;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds tars from hand-written 512-byte headers, so tests can produce what no well-behaved writer would: names
 * like "..", "" or ".wh..", absolute link targets, unknown type flags, base-256 device numbers, truncated content.
 */
final class TarBuilder {
  static final long MTIME = 1_600_000_000L;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  TarBuilder file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  TarBuilder file(String name, byte[] content, int mode) {
    header(name, '0', "", content.length, mode, 0, 0, Map.of());
    data(content);
    return this;
  }

  TarBuilder dir(String name) {
    return dir(name, 0755);
  }

  TarBuilder dir(String name, int mode) {
    header(name, '5', "", 0, mode, 0, 0, Map.of());
    return this;
  }

  TarBuilder symlink(String name, String target) {
    header(name, '2', target, 0, 0777, 0, 0, Map.of());
    return this;
  }

  TarBuilder hardlink(String name, String target) {
    return hardlink(name, target, 0644);
  }

  TarBuilder hardlink(String name, String target, int mode) {
    header(name, '1', target, 0, mode, 0, 0, Map.of());
    return this;
  }

  /** A regular file whose PAX records (GNU.sparse.* among them) are given, with {@code stored} as its data. */
  TarBuilder withPax(String name, Map<String, byte[]> pax, byte[] stored) {
    header(name, '0', "", stored.length, 0644, 0, 0, pax);
    data(stored);
    return this;
  }

  /**
   * An old GNU sparse file (type 'S', GNU magic): up to four {offset, length} pairs in the header and the rest in
   * extension blocks of 21, then {@code stored} as its data.
   */
  TarBuilder oldGnuSparse(String name, long realSize, long[] map, byte[] stored) {
    byte[] h = headerBytes(name, 'S', "", stored.length, 0644, 0, 0);
    put(h, 257, 8, "ustar  \0".getBytes(StandardCharsets.US_ASCII));
    if (realSize < (1L << 33)) {
      octal(h, 483, 12, realSize);
    } else {
      base256(h, 483, 12, realSize);
    }
    int pairs = map.length / 2;
    for (int i = 0; i < Math.min(4, pairs); i++) {
      octal(h, 386 + i * 24, 12, map[2 * i]);
      octal(h, 386 + i * 24 + 12, 12, map[2 * i + 1]);
    }
    h[482] = (byte) (pairs > 4 ? 1 : 0);
    out.writeBytes(finish(h));
    for (int first = 4; first < pairs; first += 21) {
      byte[] ext = new byte[512];
      for (int i = first; i < Math.min(first + 21, pairs); i++) {
        octal(ext, (i - first) * 24, 12, map[2 * i]);
        octal(ext, (i - first) * 24 + 12, 12, map[2 * i + 1]);
      }
      ext[504] = (byte) (first + 21 < pairs ? 1 : 0);
      out.writeBytes(ext);
    }
    data(stored);
    return this;
  }

  TarBuilder fifo(String name) {
    header(name, '6', "", 0, 0644, 0, 0, Map.of());
    return this;
  }

  /** A device whose numbers are written base-256 (so they may be negative or above 2^32). */
  TarBuilder device(String name, char type, long major, long minor) {
    byte[] h = headerBytes(name, type, "", 0, 0600, 0, 0);
    base256(h, 329, 8, major);
    base256(h, 337, 8, minor);
    checksum(h);
    out.writeBytes(h);
    return this;
  }

  TarBuilder withXattrs(String name, Map<String, byte[]> xattrs, char type, String linkOrContent) {
    Map<String, byte[]> pax = new LinkedHashMap<>();
    xattrs.forEach((k, v) -> pax.put("SCHILY.xattr." + k, v));
    byte[] content = type == '0' ? linkOrContent.getBytes(StandardCharsets.UTF_8) : new byte[0];
    header(name, type, type == '2' ? linkOrContent : "", content.length, type == '2' ? 0777 : 0644, 0, 0, pax);
    data(content);
    return this;
  }

  /** A PAX global header ('g'), which carries defaults and must not create anything. */
  TarBuilder global(String name, Map<String, byte[]> records) {
    byte[] data = paxData(records);
    out.writeBytes(finish(headerBytes(name, 'g', "", data.length, 0644, 0, 0)));
    data(data);
    return this;
  }

  /** A header of any type flag, with {@code size} bytes of content of 'x'. */
  TarBuilder raw(String name, char type, long size) {
    out.writeBytes(finish(headerBytes(name, type, "", size, 0644, 0, 0)));
    byte[] c = new byte[(int) size];
    Arrays.fill(c, (byte) 'x');
    data(c);
    return this;
  }

  /** The bytes with the end-of-archive marker. */
  byte[] bytes() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(out.toByteArray());
    b.writeBytes(new byte[1024]);
    return b.toByteArray();
  }

  /** The bytes so far, without the end-of-archive marker. */
  byte[] unterminated() {
    return out.toByteArray();
  }

  void header(String name, char type, String link, long size, int mode, long uid, long gid, Map<String, byte[]> pax) {
    Map<String, byte[]> records = new LinkedHashMap<>(pax);
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 100) {
      records.put("path", nameBytes);
      name = "longname";
    }
    if (linkBytes.length > 100) {
      records.put("linkpath", linkBytes);
      link = "longlink";
    }
    if (!records.isEmpty()) {
      byte[] data = paxData(records);
      out.writeBytes(finish(headerBytes("PaxHeader", 'x', "", data.length, 0644, 0, 0)));
      data(data);
    }
    out.writeBytes(finish(headerBytes(name, type, link, size, mode, uid, gid)));
  }

  private void data(byte[] content) {
    out.writeBytes(content);
    out.writeBytes(new byte[(512 - content.length % 512) % 512]);
  }

  static byte[] paxData(Map<String, byte[]> records) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    records.forEach((k, v) -> {
      byte[] kb = k.getBytes(StandardCharsets.UTF_8);
      int body = 1 + kb.length + 1 + v.length + 1;
      int len = body + Integer.toString(body).length();
      if (Integer.toString(len).length() != Integer.toString(body).length()) {
        len++;
      }
      b.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(kb);
      b.write('=');
      b.writeBytes(v);
      b.write('\n');
    });
    return b.toByteArray();
  }

  static byte[] headerBytes(String name, char type, String link, long size, int mode, long uid, long gid) {
    byte[] h = new byte[512];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, uid);
    octal(h, 116, 8, gid);
    octal(h, 124, 12, size);
    octal(h, 136, 12, MTIME);
    h[156] = (byte) type;
    put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
    put(h, 257, 8, "ustar\00000".getBytes(StandardCharsets.US_ASCII));
    return h;
  }

  static byte[] finish(byte[] h) {
    checksum(h);
    return h;
  }

  static void checksum(byte[] h) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 8, String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII));
  }

  private static void put(byte[] h, int off, int len, byte[] v) {
    System.arraycopy(v, 0, h, off, Math.min(len, v.length));
  }

  private static void octal(byte[] h, int off, int len, long v) {
    put(h, off, len, String.format("%0" + (len - 1) + "o", v).getBytes(StandardCharsets.US_ASCII));
  }

  private static void base256(byte[] h, int off, int len, long v) {
    for (int i = len - 1; i >= 0; i--) {
      h[off + i] = (byte) v;
      v >>= 8;
    }
    h[off] = (byte) (h[off] | 0x80);
  }
}

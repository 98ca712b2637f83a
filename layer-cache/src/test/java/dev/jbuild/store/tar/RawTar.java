package dev.jbuild.store.tar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A minimal reader of raw tar headers, so tests can see exactly what was written (PAX records, names, padding). */
final class RawTar {
  record Header(String name, char type, long size, String uname, String gname, long uid, long gid, long mtime,
      int mode, String linkName, Map<String, byte[]> pax) {}

  private RawTar() {}

  static List<Header> headers(byte[] tar) {
    List<Header> out = new ArrayList<>();
    int pos = 0;
    Map<String, byte[]> pendingPax = null;
    while (pos + 512 <= tar.length) {
      byte[] h = Arrays.copyOfRange(tar, pos, pos + 512);
      if (allZero(h)) {
        break;
      }
      String name = str(h, 0, 100);
      long size = octal(h, 124, 12);
      char type = (char) h[156];
      Header header = new Header(name, type, size, str(h, 265, 32), str(h, 297, 32), octal(h, 108, 8),
          octal(h, 116, 8), octal(h, 136, 12), (int) octal(h, 100, 8), str(h, 157, 100),
          pendingPax == null ? Map.of() : pendingPax);
      pos += 512;
      if (type == 'x') {
        pendingPax = parsePax(Arrays.copyOfRange(tar, pos, pos + (int) size));
      } else {
        pendingPax = null;
      }
      out.add(header);
      pos += (int) ((size + 511) / 512 * 512);
    }
    return out;
  }

  static Map<String, byte[]> parsePax(byte[] data) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int i = 0;
    while (i < data.length) {
      int sp = i;
      while (data[sp] != ' ') {
        sp++;
      }
      int len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
      int eq = sp + 1;
      while (data[eq] != '=') {
        eq++;
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      out.put(key, Arrays.copyOfRange(data, eq + 1, i + len - 1));
      i += len;
    }
    return out;
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String str(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] h, int off, int len) {
    String s = str(h, off, len).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }
}

package dev.jbuild.store.apply;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** PAX extended header records ("LEN KEY=VALUE\n"), values kept as raw bytes. */
final class PaxRecords {
  private static final String XATTR = "SCHILY.xattr.";

  private final Map<String, byte[]> records;
  private final String entry;

  PaxRecords(Map<String, byte[]> records, String entry) {
    this.records = records;
    this.entry = entry;
  }

  static Map<String, byte[]> parse(byte[] data, String entry) throws LayerApplyException {
    Map<String, byte[]> out = new HashMap<>();
    // GNU sparse format 0.0 repeats GNU.sparse.offset and GNU.sparse.numbytes once per data block, in order; they
    // are gathered into the comma-separated GNU.sparse.map of format 0.1, as Go's archive/tar does.
    StringBuilder sparseMap = null;
    int sparseValues = 0;
    int i = 0;
    while (i < data.length) {
      int sp = i;
      long len = 0;
      while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && sp - i < 9) {
        len = len * 10 + (data[sp] - '0');
        sp++;
      }
      if (sp == i || sp >= data.length || data[sp] != ' ' || len <= sp - i + 1 || i + len > data.length
          || data[(int) (i + len - 1)] != '\n') {
        throw new LayerApplyException(entry, "malformed PAX extended header record at offset " + i);
      }
      int end = (int) (i + len - 1);
      int eq = sp + 1;
      while (eq < end && data[eq] != '=') {
        eq++;
      }
      if (eq == end || eq == sp + 1) {
        throw new LayerApplyException(entry, "malformed PAX extended header record at offset " + i);
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      byte[] value = Arrays.copyOfRange(data, eq + 1, end);
      if (key.equals(SPARSE_OFFSET) || key.equals(SPARSE_NUMBYTES)) {
        if (key.equals(SPARSE_OFFSET) != (sparseValues % 2 == 0)) {
          throw new LayerApplyException(entry, "GNU sparse offset and numbytes records do not alternate");
        }
        String number = new String(value, StandardCharsets.US_ASCII);
        if (!number.matches("[0-9]{1,18}")) {
          throw new LayerApplyException(entry, key + " \"" + number + "\" is not a number");
        }
        sparseMap = sparseMap == null ? new StringBuilder() : sparseMap.append(',');
        sparseMap.append(number);
        sparseValues++;
      } else {
        out.put(key, value);
      }
      i = end + 1;
    }
    if (sparseMap != null) {
      if (sparseValues % 2 != 0) {
        throw new LayerApplyException(entry, "GNU sparse offset without its numbytes");
      }
      out.put(SPARSE_MAP, sparseMap.toString().getBytes(StandardCharsets.US_ASCII));
    }
    return out;
  }

  String string(String key, String fallback) throws LayerApplyException {
    byte[] v = records.get(key);
    if (v == null) {
      return fallback;
    }
    for (byte b : v) {
      if (b == 0) {
        throw new LayerApplyException(entry, "PAX " + key + " contains a NUL byte");
      }
    }
    return new String(v, StandardCharsets.UTF_8);
  }

  long decimal(String key, long fallback) throws LayerApplyException {
    String s = string(key, null);
    if (s == null) {
      return fallback;
    }
    if (!s.matches("[0-9]{1,18}")) {
      throw new LayerApplyException(entry, "PAX " + key + " \"" + s + "\" is not a non-negative decimal number");
    }
    return Long.parseLong(s);
  }

  /** A PAX time ("-12.5", "1700000000.123456789") as {seconds, nanoseconds}. */
  long[] time(String key) throws LayerApplyException {
    String s = string(key, "");
    if (!s.matches("-?[0-9]{1,15}(\\.[0-9]{0,30})?")) {
      throw new LayerApplyException(entry, "PAX " + key + " \"" + s + "\" is not a time");
    }
    int dot = s.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
    long nanos = 0;
    if (dot >= 0) {
      String frac = (s.substring(dot + 1) + "000000000").substring(0, 9);
      nanos = Long.parseLong(frac);
      if (s.startsWith("-") && nanos > 0) {
        seconds -= 1;
        nanos = 1_000_000_000L - nanos;
      }
    }
    return new long[] {seconds, nanos};
  }

  Map<String, byte[]> xattrs() {
    Map<String, byte[]> out = new TreeMap<>();
    records.forEach((k, v) -> {
      if (k.startsWith(XATTR) && k.length() > XATTR.length()) {
        out.put(k.substring(XATTR.length()), v);
      }
    });
    return out;
  }

  /**
   * Which GNU sparse format these records announce: {@code "0.1"} (0.0 and 0.1: the map is a record), {@code "1.0"}
   * (the map opens the entry's data), or null when the entry is not sparse. Another version is refused, naming it.
   */
  String sparseVersion() throws LayerApplyException {
    String major = string("GNU.sparse.major", null);
    String minor = string("GNU.sparse.minor", null);
    if (major == null && minor == null) {
      return records.containsKey(SPARSE_MAP) ? "0.1" : null;
    }
    if ("0".equals(major) && ("0".equals(minor) || "1".equals(minor))) {
      return "0.1";
    }
    if ("1".equals(major) && "0".equals(minor)) {
      return "1.0";
    }
    throw new LayerApplyException(entry, "unsupported GNU sparse format " + major + "." + minor);
  }

  /** The sparse map of format 0.0/0.1 as {offset, length} pairs, checked only for syntax here. */
  long[] sparseMap(int maxEntries) throws LayerApplyException {
    String s = string(SPARSE_MAP, "");
    if (s.isEmpty()) {
      return new long[0];
    }
    String[] parts = s.split(",", -1);
    if (parts.length % 2 != 0 || parts.length / 2 > maxEntries) {
      throw new LayerApplyException(entry, parts.length % 2 != 0 ? "GNU sparse map has an odd number of values"
          : "GNU sparse map has more than " + maxEntries + " blocks");
    }
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].matches("[0-9]{1,18}")) {
        throw new LayerApplyException(entry, "GNU sparse map value \"" + parts[i] + "\" is not a number");
      }
      out[i] = Long.parseLong(parts[i]);
    }
    return out;
  }

  private static final String SPARSE_OFFSET = "GNU.sparse.offset";
  private static final String SPARSE_NUMBYTES = "GNU.sparse.numbytes";
  private static final String SPARSE_MAP = "GNU.sparse.map";
}

package dev.jbuild.store.tar;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads every extended attribute of a tree with one run of the host's {@code getfattr} (package attr).
 *
 * <p>Why a tool: Java 17 can only read {@code user.*} xattrs, yet {@code security.capability} (file capabilities,
 * e.g. ping's cap_net_raw) must survive into the layer. Only the host's own binary at a fixed path is run, never
 * one found through PATH and never one from an image; file names reach it as one argument, not through a shell.
 */
final class Getfattr {
  private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/getfattr"), Path.of("/bin/getfattr"));

  private Getfattr() {}

  static Path tool() {
    for (Path p : CANDIDATES) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * The attributes of every file under {@code root} that has any, keyed by absolute path; files without
   * attributes are absent. Returns null when getfattr is not installed (the caller then falls back to the JDK).
   */
  static Map<Path, Map<String, byte[]>> readTree(Path root) throws IOException {
    Path tool = tool();
    if (tool == null) {
      return null;
    }
    ProcessBuilder pb = new ProcessBuilder(
        tool.toString(), "--absolute-names", "--recursive", "--physical", "--no-dereference", "--dump",
        "--match=-", "--encoding=hex", "--", root.toString());
    pb.environment().put("LC_ALL", "C");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process proc = pb.start();
    Map<Path, Map<String, byte[]>> out;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.ISO_8859_1))) {
      out = parse(r);
    } finally {
      try {
        // Exit status 1 only means some file could not be read (e.g. trusted.* without privileges).
        proc.waitFor();
      } catch (InterruptedException e) {
        proc.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading xattrs of " + root);
      }
    }
    return out;
  }

  static Map<Path, Map<String, byte[]>> parse(BufferedReader r) throws IOException {
    Map<Path, Map<String, byte[]>> out = new HashMap<>();
    Map<String, byte[]> current = null;
    for (String line; (line = r.readLine()) != null; ) {
      if (line.startsWith("# file: ")) {
        current = new TreeMap<>();
        out.put(Path.of(unescape(line.substring("# file: ".length()))), current);
      } else if (current != null && !line.isEmpty() && !line.startsWith("#")) {
        int eq = line.indexOf('=');
        String name = unescape(eq < 0 ? line : line.substring(0, eq));
        if (kept(name)) {
          current.put(name, decodeValue(eq < 0 ? "" : line.substring(eq + 1)));
        }
      }
    }
    out.values().removeIf(Map::isEmpty);
    return out;
  }

  /**
   * Which attributes belong in a layer: file capabilities, user attributes, and trusted.* (overlay's opaque and
   * whiteout markers, which the caller converts). Host-specific labels such as security.selinux, IMA/EVM
   * signatures and system.* ACLs are dropped, as docker and BuildKit drop them: they would make layers differ
   * between machines.
   */
  static boolean kept(String name) {
    return name.equals("security.capability") || name.startsWith("user.") || name.startsWith("trusted.");
  }

  private static byte[] decodeValue(String v) throws IOException {
    if (v.isEmpty()) {
      return new byte[0];
    }
    if (v.startsWith("0x")) {
      return HexFormat.of().parseHex(v.substring(2));
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      return unescapeBytes(v.substring(1, v.length() - 1));
    }
    throw new IOException("unexpected getfattr value encoding: " + (v.length() > 20 ? v.substring(0, 20) : v));
  }

  /** getfattr writes unprintable bytes, whitespace, '=' and '\' as a backslash and three octal digits. */
  static String unescape(String s) {
    return new String(unescapeBytes(s), StandardCharsets.UTF_8);
  }

  private static byte[] unescapeBytes(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        b.write(Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.write(c); // ISO-8859-1 decoding kept each byte as one char
      }
    }
    return b.toByteArray();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}

package dev.jbuild.dockerfile.internal.ast;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Input checks and normalisation shared by every entry point. */
public final class SourceText {
  /** Larger inputs are refused before parsing: a build context can hold hostile files. */
  public static final int MAX_BYTES = 10 * 1024 * 1024;

  private SourceText() {
  }

  /** Drops a UTF-8 BOM and turns CRLF into LF (BuildKit trims the CR of every line it reads). */
  public static String normalize(String source) {
    String s = source.startsWith("\uFEFF") ? source.substring(1) : source;
    return s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n");
  }

  /** @throws ParseFailure at 1:1 when {@code bytes} exceeds {@link #MAX_BYTES} */
  public static void checkSize(long bytes) {
    if (bytes > MAX_BYTES) {
      long tenths = (bytes * 10 + (1 << 20) - 1) >> 20;
      String size = tenths % 10 == 0 ? String.valueOf(tenths / 10)
          : String.format(Locale.ROOT, "%d.%d", tenths / 10, tenths % 10);
      throw new ParseFailure("Dockerfile is " + size + " MiB; the limit is " + (MAX_BYTES >> 20) + " MiB", 1, 1);
    }
  }

  /** UTF-8 length of {@code s} without encoding it (unpaired surrogates count as the 1 byte "?" they become). */
  public static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return n;
  }

  /**
   * Strict UTF-8: a byte sequence that is not UTF-8 is an error located at its line and
   * column (columns count decoded characters, as everywhere else), never silently replaced.
   *
   * @throws ParseFailure naming the offending byte
   */
  public static String decodeUtf8(byte[] bytes) {
    // Fast path: the JDK's decoder replaces bad input with U+FFFD; without one, the bytes were valid.
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') < 0) {
      return text;
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      return decoder.decode(in).toString();
    } catch (CharacterCodingException e) {
      throw invalidAt(bytes, in.position());
    }
  }

  private static ParseFailure invalidAt(byte[] bytes, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length() + 1;
    if (line == 1 && offset >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF) {
      column--; // the BOM is not part of the text
    }
    String what = offset < bytes.length && !truncatedAtEnd(bytes, offset)
        ? String.format(Locale.ROOT, "invalid UTF-8: byte 0x%02x at offset %d is not valid here", bytes[offset] & 0xFF,
            offset)
        : "invalid UTF-8: the file ends inside a multi-byte character";
    return new ParseFailure(what + "; a Dockerfile must be UTF-8 text", line, column);
  }

  /** A lead byte followed only by continuation bytes, fewer than it needs, up to the end. */
  private static boolean truncatedAtEnd(byte[] bytes, int offset) {
    int lead = bytes[offset] & 0xFF;
    int needed = lead >= 0xF0 && lead <= 0xF4 ? 3
        : lead >= 0xE0 && lead <= 0xEF ? 2
        : lead >= 0xC2 && lead <= 0xDF ? 1 : -1;
    int rest = bytes.length - offset - 1;
    if (needed < 0 || rest >= needed) {
      return false;
    }
    for (int i = offset + 1; i < bytes.length; i++) {
      if ((bytes[i] & 0xC0) != 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Best-effort text for showing the line of an encoding error. */
  public static String decodeLeniently(byte[] bytes) {
    return StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes)).toString();
  }
}

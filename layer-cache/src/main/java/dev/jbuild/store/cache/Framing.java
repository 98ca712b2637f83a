package dev.jbuild.store.cache;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The unambiguous byte framing every hash of this package is built from: each value is preceded by its length
 * (and strings by their encoding), so no two different sequences of values ever feed the same bytes to the hash.
 */
final class Framing {
  private Framing() {}

  static void u8(MessageDigest md, int v) {
    md.update((byte) v);
  }

  /** Big-endian, in one update: a byte at a time cost a call into the digest per byte, on every file of a COPY. */
  static void u64(MessageDigest md, long v) {
    md.update(ByteBuffer.allocate(Long.BYTES).putLong(v).array());
  }

  static void bytes(MessageDigest md, byte[] b) {
    u64(md, b.length);
    md.update(b);
  }

  /**
   * A string as {@code 'u' len utf8} when it is well-formed Unicode, else as {@code 'w' len utf16be}. Java's own
   * UTF-8 encoder would replace a lone surrogate with '?', making "\uD800" and "?" hash alike; UTF-16 is lossless.
   */
  static void string(MessageDigest md, String s) {
    byte[] utf8 = strictUtf8(s);
    if (utf8 != null) {
      u8(md, 'u');
      bytes(md, utf8);
    } else {
      u8(md, 'w');
      bytes(md, s.getBytes(StandardCharsets.UTF_16BE));
    }
  }

  private static byte[] strictUtf8(String s) {
    try {
      ByteBuffer buf = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(s));
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}

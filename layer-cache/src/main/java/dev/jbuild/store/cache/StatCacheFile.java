package dev.jbuild.store.cache;

import dev.jbuild.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The on-disk form of one context's stat cache: compact binary, ending in the CRC-32 of everything before it, so
 * a truncated or damaged file is recognised and ignored as a whole.
 *
 * <pre>
 * "JBSTAT2\n"  u32 len + utf8 context path  u32 count
 * count x (u32 len + utf8 relative path, i64 dev, ino, size, mtime_ns, ctime_ns, i32 mode, 32 bytes sha256)
 * u32 CRC-32 of all the above
 * </pre>
 *
 * <p>A CRC, not a sha256 (version 1): the file is the store's own, replaced only by rename, so the check is for
 * damage, not for an adversary who could as well rewrite the store. And every rebuild reads the whole file before
 * the JIT has compiled SHA-256 (~20 MB/s then, against the CRC's native ~1 GB/s): a context of 2,500 files cost
 * a warm rebuild 15 ms for the check alone.
 */
final class StatCacheFile {
  /** What a file looked like when it was hashed, and its hash. */
  record Entry(long dev, long ino, long size, long mtimeNs, long ctimeNs, int mode, Digest digest) {
    boolean sameStat(Entry o) {
      return dev == o.dev && ino == o.ino && size == o.size && mtimeNs == o.mtimeNs && ctimeNs == o.ctimeNs
          && mode == o.mode;
    }
  }

  private static final byte[] MAGIC = "JBSTAT2\n".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_PATH_BYTES = 64 * 1024;

  private StatCacheFile() {}

  static byte[] write(String contextPath, Map<String, Entry> entries) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + entries.size() * 96);
      DataOutputStream out = new DataOutputStream(buf);
      out.write(MAGIC);
      writeString(out, contextPath);
      out.writeInt(entries.size());
      HexFormat hex = HexFormat.of();
      // Sorted, so the same cache always gives the same bytes.
      for (Map.Entry<String, Entry> me : new TreeMap<>(entries).entrySet()) {
        Entry e = me.getValue();
        writeString(out, me.getKey());
        out.writeLong(e.dev());
        out.writeLong(e.ino());
        out.writeLong(e.size());
        out.writeLong(e.mtimeNs());
        out.writeLong(e.ctimeNs());
        out.writeInt(e.mode());
        out.write(hex.parseHex(e.digest().hex()));
      }
      out.flush();
      out.writeInt(crc(buf.toByteArray(), buf.size()));
      out.flush();
      return buf.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
  }

  /** The entries, or null when the bytes are damaged or belong to another context path. */
  static Map<String, Entry> read(byte[] bytes, String contextPath) {
    if (bytes.length < MAGIC.length + Integer.BYTES) {
      return null;
    }
    int bodyLength = bytes.length - Integer.BYTES;
    if (crc(bytes, bodyLength) != java.nio.ByteBuffer.wrap(bytes, bodyLength, Integer.BYTES).getInt()
        || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      return null;
    }
    try {
      DataInputStream in =
          new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length, bodyLength - MAGIC.length));
      if (!contextPath.equals(readString(in))) {
        return null;
      }
      int count = in.readInt();
      if (count < 0) {
        return null;
      }
      Map<String, Entry> out = new HashMap<>();
      byte[] hash = new byte[32];
      for (int i = 0; i < count; i++) {
        String path = readString(in);
        Entry e = new Entry(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readInt(),
            Digest.sha256(readFully(in, hash)));
        out.put(path, e);
      }
      return in.available() == 0 ? out : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static int crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static byte[] readFully(DataInputStream in, byte[] into) throws IOException {
    in.readFully(into);
    return into;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_PATH_BYTES) {
      throw new IOException("bad string length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}

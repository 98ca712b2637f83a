package dev.jbuild.store.apply;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A strict streaming tar reader (ustar, PAX, GNU long names, GNU sparse files). Written here rather than taken from
 * commons-compress because the applier needs PAX values as raw bytes ({@code SCHILY.xattr.security.capability} is
 * binary), base-256 numbers range-checked rather than truncated to int, unknown type flags reported rather than
 * guessed at, and file content copied from one large buffer straight into the file channel.
 */
final class TarReader {
  static final int BLOCK = 512;
  private static final int MAX_META = 1 << 20; // a PAX or long-name header larger than this is an attack
  private static final long MAX_MTIME = 1L << 40;
  /** Data blocks of one sparse file: far more than any real file has, few enough to hold as a map. */
  private static final int MAX_SPARSE_BLOCKS = 1 << 16;

  /** One entry; {@code type} is the raw type flag with '\0' and '7' folded into '0'. */
  record Entry(String name, char type, long size, int mode, long uid, long gid, long mtimeSeconds, int mtimeNanos,
      String linkName, long devMajor, long devMinor, Map<String, byte[]> xattrs) {}

  private final InputStream in;
  private final long maxBytes;
  private final byte[] buf = new byte[1 << 20];
  private int pos;
  private int lim;
  private long consumed;
  private long remaining; // content bytes of the current entry not yet read
  private long padding; // padding after the current entry's content
  private String current;
  // GNU sparse files (DESIGN: read what GNU tar and Go's archive/tar write): the current entry's real size (-1 for a
  // plain file) and its data blocks as {offset, length} pairs, from an old GNU ('S') header or PAX records, or read
  // from the entry's data (format 1.0) when the entry begins. Holes stay holes on disk.
  private long sparseSize = -1;
  private long[] sparseMap;
  private boolean sparseMapInData;
  private long expanded; // what sparse files add to the layer beyond their stored bytes, counted against the cap

  TarReader(InputStream in, long maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  long bytesRead() {
    return consumed - (lim - pos);
  }

  /** The next entry, or null at the end-of-archive marker (or a clean end of stream at a header boundary). */
  Entry next() throws IOException, LayerApplyException {
    skip(remaining + padding);
    remaining = 0;
    padding = 0;
    current = null;
    sparseSize = -1;
    sparseMap = null;
    sparseMapInData = false;
    Map<String, byte[]> pax = null;
    String longName = null;
    String longLink = null;
    while (true) {
      if (!fill(BLOCK)) {
        if (lim - pos == 0 && pax == null && longName == null && longLink == null) {
          return null;
        }
        throw new LayerApplyException(current, "truncated tar: the stream ends inside a header");
      }
      int h = pos;
      if (allZero(h)) {
        pos += BLOCK;
        if (pax != null || longName != null || longLink != null) {
          throw new LayerApplyException(current, "truncated tar: an extended header is followed by the end marker");
        }
        return null;
      }
      String rawName = string(h, 0, 100);
      current = rawName;
      checkChecksum(h);
      char type = (char) buf[h + 156];
      long size = number(h + 124, 12, "size");
      if (size < 0) {
        throw new LayerApplyException(rawName, "negative size");
      }
      boolean posix = matches(h + 257, "ustar\0");
      String name = rawName;
      if (posix && buf[h + 345] != 0) {
        name = string(h, 345, 155) + "/" + rawName;
      }
      Entry e = new Entry(name, type, size, (int) (number(h + 100, 8, "mode") & 07777), number(h + 108, 8, "uid"),
          number(h + 116, 8, "gid"), number(h + 136, 12, "mtime"), 0, string(h, 157, 100),
          type == '3' || type == '4' ? number(h + 329, 8, "devmajor") : 0,
          type == '3' || type == '4' ? number(h + 337, 8, "devminor") : 0, Map.of());
      if (type == 'S') {
        if (!matches(h + 257, "ustar  \0")) { // elsewhere the prefix field overlaps the sparse map
          throw new LayerApplyException(rawName, "old GNU sparse entry without the GNU magic");
        }
        oldGnuSparse(h, rawName); // moves past the header and its extension blocks
      } else {
        pos += BLOCK;
      }
      switch (type) {
        case 'x' -> {
          Map<String, byte[]> records = PaxRecords.parse(readMeta(size, rawName), rawName);
          if (pax == null) {
            pax = records;
          } else {
            pax.putAll(records);
          }
          continue;
        }
        case 'g' -> { // global headers carry defaults no layer writer relies on; ignored like Go and containerd do
          skip(size + pad(size));
          continue;
        }
        case 'L' -> {
          longName = cString(readMeta(size, rawName));
          continue;
        }
        case 'K' -> {
          longLink = cString(readMeta(size, rawName));
          continue;
        }
        default -> { }
      }
      return begin(withOverrides(e, pax, longName, longLink));
    }
  }

  private Entry begin(Entry e) throws IOException, LayerApplyException {
    current = e.name();
    char t = e.type();
    if (t == '\0' || t == '7') {
      t = e.name().endsWith("/") && t == '\0' ? '5' : '0';
    }
    boolean sparseEntry = t == 'S' || sparseSize >= 0;
    if (sparseEntry && t != 'S' && t != '0') {
      throw new LayerApplyException(e.name(), "GNU sparse records on an entry that is not a regular file");
    }
    if (t == 'S') {
      t = '0';
    }
    if ("0123456".indexOf(t) < 0) {
      throw new LayerApplyException(e.name(), "unsupported tar entry type '" + printable(t) + "'");
    }
    if (e.uid() < 0 || e.gid() < 0) {
      throw new LayerApplyException(e.name(), "negative uid or gid");
    }
    if (Math.abs(e.mtimeSeconds()) > MAX_MTIME) {
      throw new LayerApplyException(e.name(), "mtime " + e.mtimeSeconds() + " is out of range");
    }
    remaining = e.size();
    padding = pad(e.size());
    if (sparseEntry) {
      if (sparseMapInData) {
        sparseMap = sparseMapFromData();
      }
      // Compared without adding, so no real size (up to 2^63-1 in a base-256 field) can overflow the check.
      if (sparseSize > maxBytes || sparseSize - remaining > maxBytes - consumed - expanded) {
        throw new LayerApplyException(current, "sparse file of " + sparseSize + " bytes takes the layer beyond the"
            + " cap of " + maxBytes + " uncompressed bytes");
      }
      String problem = SparseMaps.problem(sparseMap, sparseSize, remaining);
      if (problem != null) {
        throw new LayerApplyException(current, problem);
      }
      expanded += sparseSize - remaining;
    }
    return new Entry(e.name(), t, e.size(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), e.mtimeNanos(),
        e.linkName(), e.devMajor(), e.devMinor(), e.xattrs());
  }

  private Entry withOverrides(Entry e, Map<String, byte[]> pax, String longName, String longLink)
      throws LayerApplyException {
    String name = longName != null ? longName : e.name();
    String link = longLink != null ? longLink : e.linkName();
    long size = e.size();
    long uid = e.uid();
    long gid = e.gid();
    long mtime = e.mtimeSeconds();
    int nanos = 0;
    Map<String, byte[]> xattrs = Map.of();
    if (pax != null) {
      PaxRecords p = new PaxRecords(pax, e.name());
      name = p.string("path", name);
      link = p.string("linkpath", link);
      size = p.decimal("size", size);
      uid = p.decimal("uid", uid);
      gid = p.decimal("gid", gid);
      if (pax.containsKey("mtime")) {
        long[] t = p.time("mtime");
        mtime = t[0];
        nanos = (int) t[1];
      }
      xattrs = p.xattrs();
      String sparseVersion = e.type() == 'S' ? null : p.sparseVersion(); // an 'S' header's own map rules, as in Go
      if (sparseVersion != null) {
        // The ustar name of a 1.0 (and some 0.1) sparse file is a GNUSparseFile.PID/NAME stand-in; this is the real
        // one. The real size is a record; the map is a record too (0.x) or opens the entry's data (1.0).
        name = p.string("GNU.sparse.name", name);
        long real = p.decimal("GNU.sparse.size", p.decimal("GNU.sparse.realsize", -1)); // Go's precedence
        if (real < 0) {
          throw new LayerApplyException(name, "GNU sparse file without its real size");
        }
        sparseSize = real;
        sparseMapInData = sparseVersion.equals("1.0");
        sparseMap = sparseMapInData ? null : p.sparseMap(MAX_SPARSE_BLOCKS);
      }
    }
    return new Entry(name, e.type(), size, e.mode(), uid, gid, mtime, nanos, link, e.devMajor(), e.devMinor(),
        xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs)));
  }

  /**
   * Copies the rest of the current entry's content into {@code ch} at its current position (a new, empty file); a
   * sparse file's data blocks go to their offsets, leaving holes between them, and the file gets its real size.
   */
  void copyContent(FileChannel ch) throws IOException, LayerApplyException {
    if (sparseSize < 0) {
      copyTo(ch, ch.position(), remaining);
      return;
    }
    for (int i = 0; i < sparseMap.length; i += 2) {
      copyTo(ch, sparseMap[i], sparseMap[i + 1]);
    }
    if (ch.size() < sparseSize) { // a hole up to the end: one zero byte makes the size without filling it
      ByteBuffer zero = ByteBuffer.allocate(1);
      while (zero.hasRemaining()) {
        ch.write(zero, sparseSize - 1);
      }
    }
  }

  /** Writes the next {@code n} bytes of the entry's content into {@code ch} at {@code at}. */
  private void copyTo(FileChannel ch, long at, long n) throws IOException, LayerApplyException {
    while (n > 0) {
      if (pos == lim && !refill()) {
        throw new LayerApplyException(current, "truncated tar: " + remaining + " bytes of content missing");
      }
      int k = (int) Math.min(n, lim - pos);
      ByteBuffer bb = ByteBuffer.wrap(buf, pos, k);
      while (bb.hasRemaining()) {
        at += ch.write(bb, at);
      }
      pos += k;
      n -= k;
      remaining -= k;
    }
  }

  /**
   * An old GNU sparse header (type 'S'): four {offset, length} pairs and the real size in the header, and 21 more
   * pairs in each extension block that follows it while the "extended" flag is set. Consumes them all.
   */
  private void oldGnuSparse(int h, String name) throws IOException, LayerApplyException {
    List<Long> map = new ArrayList<>();
    boolean extended = buf[h + 482] != 0;
    sparseSize = number(h + 483, 12, "sparse real size");
    oldGnuPairs(h + 386, 4, map);
    pos += BLOCK;
    while (extended) {
      if (!fill(BLOCK)) {
        throw new LayerApplyException(name, "truncated tar: the stream ends inside a sparse header");
      }
      oldGnuPairs(pos, 21, map);
      extended = buf[pos + 504] != 0;
      pos += BLOCK;
      if (map.size() / 2 > MAX_SPARSE_BLOCKS) {
        throw new LayerApplyException(name, "GNU sparse map has more than " + MAX_SPARSE_BLOCKS + " blocks");
      }
    }
    sparseMap = map.stream().mapToLong(Long::longValue).toArray();
  }

  private void oldGnuPairs(int off, int count, List<Long> map) throws LayerApplyException {
    for (int i = 0; i < count; i++) {
      int at = off + i * 24;
      if (buf[at] == 0) {
        return; // an empty slot ends the list, as in GNU and BSD tar
      }
      map.add(number(at, 12, "sparse offset"));
      map.add(number(at + 12, 12, "sparse length"));
    }
  }

  /**
   * The map a GNU sparse 1.0 entry's data opens with: the number of blocks, then each block's offset and length, all
   * decimal and newline-terminated, padded to a whole block. Counted out of the entry's stored bytes.
   */
  private long[] sparseMapFromData() throws IOException, LayerApplyException {
    long start = remaining;
    long blocks = sparseNumber(start);
    if (blocks > MAX_SPARSE_BLOCKS) {
      throw new LayerApplyException(current, "GNU sparse map has more than " + MAX_SPARSE_BLOCKS + " blocks");
    }
    long[] map = new long[(int) blocks * 2];
    for (int i = 0; i < map.length; i++) {
      map[i] = sparseNumber(start);
    }
    long used = start - remaining;
    long skip = pad(used);
    if (skip > remaining) {
      throw new LayerApplyException(current, "truncated tar: the sparse map runs past the entry's data");
    }
    skip(skip);
    remaining -= skip;
    return map;
  }

  private long sparseNumber(long start) throws IOException, LayerApplyException {
    long v = 0;
    int digits = 0;
    while (true) {
      if (remaining == 0 || start - remaining >= MAX_META) {
        throw new LayerApplyException(current, remaining == 0
            ? "truncated tar: the sparse map runs past the entry's data" : "GNU sparse map is larger than " + MAX_META);
      }
      if (pos == lim && !refill()) {
        throw new LayerApplyException(current, "truncated tar: the stream ends inside a sparse map");
      }
      byte b = buf[pos++];
      remaining--;
      if (b == '\n' && digits > 0) {
        return v;
      }
      if (b < '0' || b > '9' || ++digits > 18) {
        throw new LayerApplyException(current, "malformed GNU sparse map");
      }
      v = v * 10 + (b - '0');
    }
  }

  /** Reads everything after the end-of-archive marker, so a digest over the stream covers the whole blob. */
  void drain() throws IOException, LayerApplyException {
    pos = lim;
    while (refill()) {
      pos = lim;
    }
  }

  private void skip(long n) throws IOException, LayerApplyException {
    while (n > 0) {
      if (pos == lim && !refill()) {
        throw new LayerApplyException(current, "truncated tar: the stream ends inside an entry");
      }
      int k = (int) Math.min(n, lim - pos);
      pos += k;
      n -= k;
    }
  }

  private byte[] readMeta(long size, String name) throws IOException, LayerApplyException {
    if (size > MAX_META) {
      throw new LayerApplyException(name, "extended header of " + size + " bytes is larger than " + MAX_META);
    }
    byte[] out = new byte[(int) size];
    int off = 0;
    while (off < out.length) {
      if (pos == lim && !refill()) {
        throw new LayerApplyException(name, "truncated tar: the stream ends inside an extended header");
      }
      int k = Math.min(out.length - off, lim - pos);
      System.arraycopy(buf, pos, out, off, k);
      pos += k;
      off += k;
    }
    skip(pad(size));
    return out;
  }

  /** Makes at least {@code n} bytes available at {@code pos}; false at end of stream. */
  private boolean fill(int n) throws IOException, LayerApplyException {
    if (lim - pos >= n) {
      return true;
    }
    System.arraycopy(buf, pos, buf, 0, lim - pos);
    lim -= pos;
    pos = 0;
    while (lim < n) {
      int r = in.read(buf, lim, buf.length - lim);
      if (r < 0) {
        return false;
      }
      count(r);
      lim += r;
    }
    return true;
  }

  private boolean refill() throws IOException, LayerApplyException {
    int r;
    do {
      r = in.read(buf, 0, buf.length);
    } while (r == 0);
    if (r < 0) {
      pos = 0;
      lim = 0;
      return false;
    }
    count(r);
    pos = 0;
    lim = r;
    return true;
  }

  private void count(int r) throws LayerApplyException {
    consumed += r;
    if (consumed > maxBytes - expanded) { // expanded never exceeds maxBytes: no overflow
      if (expanded > 0) {
        throw new LayerApplyException(current, "layer is larger than the cap of " + maxBytes
            + " uncompressed bytes, its sparse files' holes counted");
      }
      throw new LayerApplyException(current, "layer is larger than the cap of " + maxBytes + " uncompressed bytes");
    }
  }

  private static long pad(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private boolean allZero(int off) {
    for (int i = off; i < off + BLOCK; i++) {
      if (buf[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean matches(int off, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (buf[off + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void checkChecksum(int h) throws LayerApplyException {
    long stored = number(h + 148, 8, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i >= 148 && i < 156 ? (byte) ' ' : buf[h + i];
      unsigned += b & 0xff;
      signed += b;
    }
    if (stored != unsigned && stored != signed) {
      throw new LayerApplyException(current, "invalid tar header checksum (not a tar, or corrupt)");
    }
  }

  private String string(int h, int off, int len) {
    int end = h + off;
    while (end < h + off + len && buf[end] != 0) {
      end++;
    }
    return new String(buf, h + off, end - h - off, StandardCharsets.UTF_8);
  }

  /** An octal field, or a base-256 one (GNU, star) when the high bit of its first byte is set. */
  private long number(int off, int len, String field) throws LayerApplyException {
    if ((buf[off] & 0x80) != 0) {
      boolean negative = (buf[off] & 0x40) != 0;
      long v = negative ? -1 : 0;
      for (int i = 0; i < len; i++) {
        int b = buf[off + i] & 0xff;
        if (i == 0) {
          b &= 0x7f;
          if (negative) {
            b |= 0x80;
          }
        }
        if (i < len - 8 && b != (negative ? 0xff : 0)) {
          throw new LayerApplyException(current, field + " does not fit in 64 bits");
        }
        v = (v << 8) | b;
      }
      return v;
    }
    long v = 0;
    int i = off;
    int end = off + len;
    while (i < end && (buf[i] == ' ' || buf[i] == 0)) {
      i++;
    }
    for (; i < end && buf[i] != ' ' && buf[i] != 0; i++) {
      int d = buf[i] - '0';
      if (d < 0 || d > 7) {
        throw new LayerApplyException(current, "invalid octal number in the " + field + " field");
      }
      v = v * 8 + d;
    }
    return v;
  }

  private static String cString(byte[] b) {
    int end = 0;
    while (end < b.length && b[end] != 0) {
      end++;
    }
    return new String(b, 0, end, StandardCharsets.UTF_8);
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
  }
}

package dev.jbuild.builder.internal;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.compress.Decompress;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.cache.LayerHeaderCache;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What the image's filesystem holds so far: path to metadata, built from the layers' tar headers with
 * whiteouts applied. Steps that need to know whether a directory exists (WORKDIR, the parents COPY creates)
 * ask it, so a layer holds exactly what an overlay diff would hold, without extracting anything.
 */
final class FileIndex {
  /**
   * Metadata of one path; {@code directory} tells dirs from everything else, {@code type} is the tar entry type
   * and {@code linkTarget} the target of a symlink or hard link (null otherwise).
   */
  record Meta(boolean directory, int mode, long uid, long gid, Instant mtime, LayerEntry.Type type, String linkTarget) {
    Meta(boolean directory, int mode, long uid, long gid, Instant mtime) {
      this(directory, mode, uid, gid, mtime, directory ? LayerEntry.Type.DIRECTORY : LayerEntry.Type.REGULAR, null);
    }

    static Meta of(LayerEntry e) {
      return new Meta(e.type() == LayerEntry.Type.DIRECTORY, e.mode(), e.uid(), e.gid(), e.mtime(), e.type(),
          e.linkTarget());
    }

    boolean symlink() {
      return type == LayerEntry.Type.SYMLINK;
    }
  }

  /** The same ceiling the layer applier uses by default. */
  private static final long MAX_LAYER_BYTES = 64L << 30;

  private final TreeMap<String, Meta> entries = new TreeMap<>();

  static FileIndex of(BlobStore blobs, LayerHeaderCache headers, Iterable<Descriptor> layers)
      throws IOException, StoreException {
    FileIndex index = new FileIndex();
    for (Descriptor layer : layers) {
      index.applyLayer(blobs, headers, layer);
    }
    return index;
  }

  FileIndex copy() {
    FileIndex c = new FileIndex();
    c.entries.putAll(entries);
    return c;
  }

  Meta get(String path) {
    return entries.get(path);
  }

  void put(String path, Meta meta) {
    entries.put(path, meta);
  }

  /**
   * Applies what {@code layer}'s tar headers say, in order. They are read from the tar once and then kept in the
   * store's {@link LayerHeaderCache}, so later builds on the same base never decompress its layers for this.
   */
  void applyLayer(BlobStore blobs, LayerHeaderCache headers, Descriptor layer) throws IOException, StoreException {
    Optional<byte[]> cached = headers.get(layer.digest());
    if (cached.isPresent()) {
      try {
        replay(cached.get());
        return;
      } catch (IOException | IllegalArgumentException e) {
        // Damaged (a crash cannot leave one, a disk can): read the tar once more and write a fresh entry.
        headers.remove(layer.digest());
      }
    }
    HeaderLog log = new HeaderLog();
    readTar(blobs, layer, log);
    replay(log.bytes());
    headers.put(layer.digest(), log.bytes());
  }

  private static void readTar(BlobStore blobs, Descriptor layer, HeaderLog log) throws IOException, StoreException {
    // By magic number, not media type: what matters is what the bytes are. Capped against decompression bombs.
    try (InputStream raw = new BufferedInputStream(blobs.open(layer.digest()), 1 << 16);
        InputStream in = Decompress.open(raw, MAX_LAYER_BYTES);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String path = normalize(e.getName());
        if (path.isEmpty()) {
          continue;
        }
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String base = slash < 0 ? path : path.substring(slash + 1);
        if (base.equals(".wh..wh..opq")) {
          log.opaque(dir);
        } else if (base.startsWith(".wh.")) {
          log.whiteout((dir.isEmpty() ? "" : dir + "/") + base.substring(4));
        } else {
          log.put(path, new Meta(e.isDirectory(), e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
              e.getLastModifiedDate().toInstant(), typeOf(e), e.isSymbolicLink() || e.isLink()
              ? (e.isLink() ? normalize(e.getLinkName()) : e.getLinkName()) : null));
        }
      }
    }
  }

  /** Applies a {@link HeaderLog}: the same edits, in the same order, as reading the tar itself. */
  private void replay(byte[] log) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(log));
    if (in.readInt() != HeaderLog.MAGIC) {
      throw new IOException("not a layer header log");
    }
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      byte op = in.readByte();
      String path = HeaderLog.readString(in);
      switch (op) {
        case HeaderLog.PUT -> {
          boolean directory = in.readBoolean();
          int mode = in.readInt();
          long uid = in.readLong();
          long gid = in.readLong();
          Instant mtime = Instant.ofEpochSecond(in.readLong(), in.readInt());
          LayerEntry.Type type = LayerEntry.Type.valueOf(HeaderLog.readString(in));
          String link = in.readBoolean() ? HeaderLog.readString(in) : null;
          if (!directory) {
            removeChildren(path);
          }
          entries.put(path, new Meta(directory, mode, uid, gid, mtime, type, link));
        }
        case HeaderLog.WHITEOUT -> {
          entries.remove(path);
          removeChildren(path);
        }
        case HeaderLog.OPAQUE -> removeChildren(path);
        default -> throw new IOException("unknown operation " + op + " in a layer header log");
      }
    }
    if (in.read() != -1) {
      throw new IOException("trailing bytes in a layer header log");
    }
  }

  /**
   * A layer's tar headers as a compact list of edits (put, whiteout, opaque directory), the format kept in the
   * {@link LayerHeaderCache}: a magic number with the format version, the count, then the edits. Strings are
   * length-prefixed UTF-8, so no path is too long for it.
   */
  private static final class HeaderLog {
    static final int MAGIC = 0x4a424831; // "JBH1"
    static final byte PUT = 1;
    static final byte WHITEOUT = 2;
    static final byte OPAQUE = 3;

    private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(64 * 1024);
    private final DataOutputStream out = new DataOutputStream(buf);
    private int count;
    private byte[] bytes;

    void put(String path, Meta m) throws IOException {
      op(PUT, path);
      out.writeBoolean(m.directory());
      out.writeInt(m.mode());
      out.writeLong(m.uid());
      out.writeLong(m.gid());
      out.writeLong(m.mtime().getEpochSecond());
      out.writeInt(m.mtime().getNano());
      writeString(m.type().name());
      out.writeBoolean(m.linkTarget() != null);
      if (m.linkTarget() != null) {
        writeString(m.linkTarget());
      }
    }

    void whiteout(String path) throws IOException {
      op(WHITEOUT, path);
    }

    void opaque(String dir) throws IOException {
      op(OPAQUE, dir);
    }

    byte[] bytes() throws IOException {
      if (bytes == null) {
        out.flush();
        byte[] body = buf.toByteArray();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + body.length);
        b.putInt(MAGIC).putInt(count).put(body);
        bytes = b.array();
      }
      return bytes;
    }

    private void op(byte op, String path) throws IOException {
      count++;
      out.writeByte(op);
      writeString(path);
    }

    private void writeString(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > in.available()) {
        throw new IOException("bad string length " + n + " in a layer header log");
      }
      return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
  }

  private static LayerEntry.Type typeOf(TarArchiveEntry e) {
    if (e.isDirectory()) {
      return LayerEntry.Type.DIRECTORY;
    } else if (e.isSymbolicLink()) {
      return LayerEntry.Type.SYMLINK;
    } else if (e.isLink()) {
      return LayerEntry.Type.HARDLINK;
    } else if (e.isCharacterDevice()) {
      return LayerEntry.Type.CHAR_DEVICE;
    } else if (e.isBlockDevice()) {
      return LayerEntry.Type.BLOCK_DEVICE;
    } else if (e.isFIFO()) {
      return LayerEntry.Type.FIFO;
    }
    return LayerEntry.Type.REGULAR;
  }

  /**
   * The names directly under {@code dir} ("" for the root), sorted. A name present only as the parent of deeper
   * entries (a tar without the directory's own entry) is listed too.
   */
  java.util.List<String> children(String dir) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    java.util.SortedMap<String, Meta> below = dir.isEmpty() ? entries : entries.subMap(dir + "/", dir + "/\uffff");
    int skip = dir.isEmpty() ? 0 : dir.length() + 1;
    String last = null;
    for (String path : below.keySet()) {
      if (last != null && path.startsWith(last) && path.length() > last.length() && path.charAt(last.length()) == '/') {
        continue;
      }
      int slash = path.indexOf('/', skip);
      String name = slash < 0 ? path.substring(skip) : path.substring(skip, slash);
      names.add(name);
      last = (dir.isEmpty() ? "" : dir + "/") + name;
    }
    return new java.util.ArrayList<>(names);
  }

  /** Whether something lies below {@code dir}: a directory known only from its children. */
  boolean hasChildren(String dir) {
    return dir.isEmpty() ? !entries.isEmpty() : !entries.subMap(dir + "/", dir + "/\uffff").isEmpty();
  }

  private void removeChildren(String dir) {
    if (dir.isEmpty()) {
      entries.clear();
      return;
    }
    // A range view keeps this proportional to what is removed, not to the size of the tree (case L32).
    entries.subMap(dir + "/", true, dir + "/\uffff", false).clear();
  }

  /** {@code ./a/b/} and {@code /a/b} become {@code a/b}. */
  static String normalize(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    while (n.startsWith("/")) {
      n = n.substring(1);
    }
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.equals(".") ? "" : n;
  }
}

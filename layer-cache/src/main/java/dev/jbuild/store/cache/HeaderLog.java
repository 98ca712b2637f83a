package dev.jbuild.store.cache;

import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.tar.LayerEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What a layer's tar headers say, as a compact list of edits to a filesystem index: put a path, white one out,
 * make a directory opaque. This is the format kept in the {@link LayerHeaderCache}: a magic number with the format
 * version, the count, then the edits; strings are length-prefixed UTF-8, so no path is too long for it.
 *
 * <pre>{@code
 * HeaderLog log = new HeaderLog();
 * LayerApplier.readHeaders(tar, maxBytes, log::add);      // or while extracting: LayerApplier.apply(..., log::add)
 * HeaderLog.replay(log.bytes(), edits);
 * }</pre>
 *
 * <p>A layer's log is the same whether it was recorded while the layer was extracted or read on its own: both go
 * through the applier's tar reader.
 */
public final class HeaderLog {
  static final int MAGIC = 0x4a424831; // "JBH1"
  private static final byte PUT = 1;
  private static final byte WHITEOUT = 2;
  private static final byte OPAQUE = 3;

  /** Receives a log's edits in order. */
  public interface Edits {
    /** {@code path} now holds this entry ({@code linkTarget}: of a symlink as written, of a hard link normalised). */
    void put(String path, boolean directory, int mode, long uid, long gid, Instant mtime, LayerEntry.Type type,
        String linkTarget);

    /** {@code path} and everything below it are gone. */
    void whiteout(String path);

    /** Everything below {@code dir} from lower layers is gone. */
    void opaque(String dir);
  }

  private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64 * 1024);
  private final DataOutputStream out = new DataOutputStream(buf);
  private int count;
  private byte[] bytes;

  /** Records one header: whiteout files become whiteouts of their target, opaque markers opaque edits. */
  public void add(LayerApplier.Header h) {
    if (bytes != null) {
      throw new IllegalStateException("the log is complete");
    }
    String path = normalize(h.name());
    if (path.isEmpty()) {
      return;
    }
    int slash = path.lastIndexOf('/');
    String dir = slash < 0 ? "" : path.substring(0, slash);
    String base = slash < 0 ? path : path.substring(slash + 1);
    try {
      if (base.equals(LayerEntry.OPAQUE_WHITEOUT)) {
        op(OPAQUE, dir);
      } else if (base.startsWith(LayerEntry.WHITEOUT_PREFIX)) {
        op(WHITEOUT, (dir.isEmpty() ? "" : dir + "/") + base.substring(LayerEntry.WHITEOUT_PREFIX.length()));
      } else {
        LayerEntry.Type type = typeOf(h.type());
        String link = type == LayerEntry.Type.SYMLINK ? h.linkName()
            : type == LayerEntry.Type.HARDLINK ? normalize(h.linkName()) : null;
        put(path, type == LayerEntry.Type.DIRECTORY, h.mode() & 07777, h.uid(), h.gid(), h.mtimeSeconds(),
            h.mtimeNanos(), type, link);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }

  /**
   * Records that {@code path} (normalised, as {@link Edits#put} gets it) holds this entry: for a log written from an
   * index rather than from a tar, such as the builder's snapshot of an image's whole index.
   */
  public void put(String path, boolean directory, int mode, long uid, long gid, Instant mtime, LayerEntry.Type type,
      String linkTarget) {
    if (bytes != null) {
      throw new IllegalStateException("the log is complete");
    }
    try {
      put(path, directory, mode, uid, gid, mtime.getEpochSecond(), mtime.getNano(), type, linkTarget);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }

  private void put(String path, boolean directory, int mode, long uid, long gid, long mtimeSeconds, int mtimeNanos,
      LayerEntry.Type type, String linkTarget) throws IOException {
    op(PUT, path);
    out.writeBoolean(directory);
    out.writeInt(mode);
    out.writeLong(uid);
    out.writeLong(gid);
    out.writeLong(mtimeSeconds);
    out.writeInt(mtimeNanos);
    writeString(type.name());
    out.writeBoolean(linkTarget != null);
    if (linkTarget != null) {
      writeString(linkTarget);
    }
  }

  /** The log, complete: nothing can be added afterwards. */
  public byte[] bytes() {
    if (bytes == null) {
      byte[] body = buf.toByteArray();
      bytes = ByteBuffer.allocate(8 + body.length).putInt(MAGIC).putInt(count).put(body).array();
    }
    return bytes;
  }

  /**
   * Replays {@code log} into {@code edits}, in order.
   *
   * @throws IOException when {@code log} is not a complete, well-formed log (e.g. a damaged cache entry)
   */
  public static void replay(byte[] log, Edits edits) throws IOException {
    // A ByteBuffer over the array, not a DataInputStream: replaying every layer of an image runs before the JIT has
    // compiled anything, and the stream's synchronized single-byte calls were most of that time.
    ByteBuffer in = ByteBuffer.wrap(log);
    try {
      if (log.length < 8 || in.getInt() != MAGIC) {
        throw new IOException("not a layer header log");
      }
      int count = in.getInt();
      for (int i = 0; i < count; i++) {
        byte op = in.get();
        String path = readString(log, in);
        switch (op) {
          case PUT -> {
            boolean directory = in.get() != 0;
            int mode = in.getInt();
            long uid = in.getLong();
            long gid = in.getLong();
            Instant mtime = Instant.ofEpochSecond(in.getLong(), in.getInt());
            LayerEntry.Type type;
            try {
              type = LayerEntry.Type.valueOf(readString(log, in));
            } catch (IllegalArgumentException e) {
              throw new IOException("unknown entry type in a layer header log", e);
            }
            String link = in.get() != 0 ? readString(log, in) : null;
            edits.put(path, directory, mode, uid, gid, mtime, type, link);
          }
          case WHITEOUT -> edits.whiteout(path);
          case OPAQUE -> edits.opaque(path);
          default -> throw new IOException("unknown operation " + op + " in a layer header log");
        }
      }
    } catch (BufferUnderflowException e) {
      throw new IOException("truncated layer header log", e);
    }
    if (in.hasRemaining()) {
      throw new IOException("trailing bytes in a layer header log");
    }
  }


  /** {@code ./a/b/} and {@code /a/b} become {@code a/b}; {@code .} and {@code /} become "". */
  public static String normalize(String name) {
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

  private static LayerEntry.Type typeOf(char tarType) {
    return switch (tarType) {
      case '5' -> LayerEntry.Type.DIRECTORY;
      case '2' -> LayerEntry.Type.SYMLINK;
      case '1' -> LayerEntry.Type.HARDLINK;
      case '3' -> LayerEntry.Type.CHAR_DEVICE;
      case '4' -> LayerEntry.Type.BLOCK_DEVICE;
      case '6' -> LayerEntry.Type.FIFO;
      default -> LayerEntry.Type.REGULAR;
    };
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

  private static String readString(byte[] log, ByteBuffer in) throws IOException {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new IOException("bad string length " + n + " in a layer header log");
    }
    String s = new String(log, in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }
}

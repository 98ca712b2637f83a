package dev.jbuild.builder.internal;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.compress.Decompress;
import dev.jbuild.store.tar.LayerEntry;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
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

  static FileIndex of(BlobStore blobs, Iterable<Descriptor> layers) throws IOException, StoreException {
    FileIndex index = new FileIndex();
    for (Descriptor layer : layers) {
      index.applyLayer(blobs, layer);
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

  void applyLayer(BlobStore blobs, Descriptor layer) throws IOException, StoreException {
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
          removeChildren(dir);
        } else if (base.startsWith(".wh.")) {
          String victim = (dir.isEmpty() ? "" : dir + "/") + base.substring(4);
          entries.remove(victim);
          removeChildren(victim);
        } else {
          Meta meta = new Meta(e.isDirectory(), e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
              e.getLastModifiedDate().toInstant(), typeOf(e), e.isSymbolicLink() || e.isLink()
              ? (e.isLink() ? normalize(e.getLinkName()) : e.getLinkName()) : null);
          if (!meta.directory()) {
            removeChildren(path);
          }
          entries.put(path, meta);
        }
      }
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

package dev.jbuild.builder.internal;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.compress.Decompress;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.apply.LayerApplyException;
import dev.jbuild.store.cache.HeaderLog;
import dev.jbuild.store.cache.LayerHeaderCache;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

  /** As {@link #of}, from the indexes this process made last when one is for the same layers. */
  static FileIndex recentOrOf(BlobStore blobs, LayerHeaderCache headers, List<Descriptor> layers)
      throws IOException, StoreException {
    List<Digest> key = new ArrayList<>();
    layers.forEach(l -> key.add(l.digest()));
    synchronized (RECENT) {
      FileIndex known = RECENT.get(key);
      if (known != null) {
        return known.copy();
      }
    }
    FileIndex index = of(blobs, headers, layers);
    synchronized (RECENT) {
      RECENT.put(key, index.copy());
    }
    return index;
  }

  /**
   * The indexes this process built last, by layer digests: stages of a build mostly start from the same base
   * image, and an index is a function of its layers' contents alone. Each user gets a copy.
   */
  private static final Map<List<Digest>, FileIndex> RECENT = new LinkedHashMap<>(8, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<List<Digest>, FileIndex> eldest) {
      return size() > 4;
    }
  };

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
   * store's {@link LayerHeaderCache} (extracting a layer records them too), so later builds on the same base never
   * decompress its layers for this.
   */
  void applyLayer(BlobStore blobs, LayerHeaderCache headers, Descriptor layer) throws IOException, StoreException {
    Optional<byte[]> cached = headers.get(layer.digest());
    if (cached.isPresent()) {
      try {
        HeaderLog.replay(cached.get(), edits);
        return;
      } catch (IOException | IllegalArgumentException e) {
        // Damaged (a crash cannot leave one, a disk can): read the tar once more and write a fresh entry. Replaying
        // the whole layer after part of it leaves the index as replaying it once would.
        headers.remove(layer.digest());
      }
    }
    HeaderLog log = new HeaderLog();
    // By magic number, not media type: what matters is what the bytes are. Capped against decompression bombs.
    try (InputStream raw = new BufferedInputStream(blobs.open(layer.digest()), 1 << 16);
        InputStream in = Decompress.open(raw, MAX_LAYER_BYTES)) {
      LayerApplier.readHeaders(in, MAX_LAYER_BYTES, log::add);
    } catch (LayerApplyException e) {
      throw new StoreException("layer " + layer.digest() + " is not a valid tar: " + e.getMessage(), e);
    }
    HeaderLog.replay(log.bytes(), edits);
    headers.put(layer.digest(), log.bytes());
  }

  /** Applies a {@link HeaderLog}'s edits to this index: the same edits, in the same order, as the tar's. */
  private final HeaderLog.Edits edits = new HeaderLog.Edits() {
    @Override
    public void put(String path, boolean directory, int mode, long uid, long gid, Instant mtime, LayerEntry.Type type,
        String linkTarget) {
      if (!directory) {
        removeChildren(path);
      }
      entries.put(path, new Meta(directory, mode, uid, gid, mtime, type, linkTarget));
    }

    @Override
    public void whiteout(String path) {
      entries.remove(path);
      removeChildren(path);
    }

    @Override
    public void opaque(String dir) {
      removeChildren(dir);
    }
  };

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
    String from = dir + "/";
    String first = entries.ceilingKey(from);
    if (first == null || !first.startsWith(from)) {
      return; // the usual case, a file put where nothing was: one lookup
    }
    // A range view keeps this proportional to what is removed, not to the size of the tree (case L32).
    entries.subMap(from, true, dir + "/\uffff", false).clear();
  }
}

package dev.jbuild.builder.internal;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.apply.LayerApplyException;
import dev.jbuild.store.cache.HeaderLog;
import dev.jbuild.store.cache.LayerHeaderCache;
import dev.jbuild.store.compress.Decompress;
import dev.jbuild.store.tar.LayerEntry;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;

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

  /**
   * As {@link #of}: from the indexes this process made last when one is for the same layers, else from the snapshot
   * an earlier build stored for them, else by replaying every layer's headers (and storing the snapshot).
   */
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
    boolean snapshotted = key.size() >= 2; // one layer's log replays as fast as a snapshot loads
    FileIndex index = snapshotted ? stored(headers, key) : null;
    if (index == null) {
      index = of(blobs, headers, layers);
      if (snapshotted) {
        store(headers, key, index);
      }
    }
    synchronized (RECENT) {
      RECENT.put(key, index.copy());
    }
    return index;
  }

  /**
   * Where the snapshot of the index of {@code layers} is kept: a digest of the whole chain, in the store's layer
   * header cache beside the per-layer logs. The index depends on every layer below, not only the top one (a COPY
   * --link layer can sit on any base), so the chain is the key.
   */
  static Digest snapshotKey(List<Digest> layers) {
    StringBuilder s = new StringBuilder(SNAPSHOT_DOMAIN);
    for (Digest d : layers) {
      s.append('\n').append(d);
    }
    return Digest.sha256Of(s.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static final String SNAPSHOT_DOMAIN = "jbuild file index snapshot v1";

  /** The stored snapshot for {@code layers}, or null when there is none or it does not decode (then removed). */
  private static FileIndex stored(LayerHeaderCache headers, List<Digest> layers) {
    Digest key = snapshotKey(layers);
    Optional<byte[]> bytes = headers.get(key);
    if (bytes.isEmpty()) {
      return null;
    }
    FileIndex index = fromSnapshot(bytes.get());
    if (index == null) {
      headers.remove(key);
    }
    return index;
  }

  /** Best effort: a snapshot that cannot be written only means the next build replays the layers again. */
  private static void store(LayerHeaderCache headers, List<Digest> layers, FileIndex index) {
    try {
      headers.put(snapshotKey(layers), index.snapshot());
    } catch (StoreException | RuntimeException e) {
      // nothing lost
    }
  }

  /**
   * The index as bytes: a {@link HeaderLog} that puts every path in path order, then a CRC-32 of the log (a log
   * read from a tar has no checksum; this one is read instead of the layers, so damage must not go unseen).
   */
  byte[] snapshot() {
    HeaderLog log = new HeaderLog();
    entries.forEach((path, m) -> log.put(path, m.directory(), m.mode(), m.uid(), m.gid(), m.mtime(), m.type(),
        m.linkTarget()));
    byte[] body = log.bytes();
    CRC32 crc = new CRC32();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  /**
   * The index a {@link #snapshot()} holds, or null when {@code bytes} is not a whole, undamaged snapshot that only
   * puts paths, in strictly increasing order. The tree is built in one linear pass from the sorted entries.
   */
  static FileIndex fromSnapshot(byte[] bytes) {
    if (bytes.length < 4) {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      return null;
    }
    List<String> paths = new ArrayList<>();
    List<Meta> metas = new ArrayList<>();
    try {
      HeaderLog.replay(Arrays.copyOf(bytes, bytes.length - 4), new HeaderLog.Edits() {
        @Override
        public void put(String path, boolean directory, int mode, long uid, long gid, Instant mtime,
            LayerEntry.Type type, String linkTarget) {
          if (!paths.isEmpty() && paths.get(paths.size() - 1).compareTo(path) >= 0) {
            throw new IllegalArgumentException("paths out of order at " + path);
          }
          paths.add(path);
          metas.add(new Meta(directory, mode, uid, gid, mtime, type, linkTarget));
        }

        @Override
        public void whiteout(String path) {
          throw new IllegalArgumentException("a whiteout in an index snapshot");
        }

        @Override
        public void opaque(String dir) {
          throw new IllegalArgumentException("an opaque directory in an index snapshot");
        }
      });
    } catch (IOException | IllegalArgumentException | DateTimeException e) {
      return null;
    }
    FileIndex index = new FileIndex();
    index.entries.putAll(new SortedEntries(paths, metas));
    return index;
  }

  /**
   * Entries already in increasing key order, as a {@link SortedMap} with natural ordering: {@link
   * TreeMap#putAll} into an empty tree then builds it in linear time, without comparing keys. Only what putAll reads
   * is implemented.
   */
  private static final class SortedEntries extends AbstractMap<String, Meta>
      implements SortedMap<String, Meta> {
    private final List<String> paths;
    private final List<Meta> metas;

    SortedEntries(List<String> paths, List<Meta> metas) {
      this.paths = paths;
      this.metas = metas;
    }

    @Override
    public Comparator<? super String> comparator() {
      return null;
    }

    @Override
    public int size() {
      return paths.size();
    }

    @Override
    public Set<Map.Entry<String, Meta>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, Meta>> iterator() {
          return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
              return i < paths.size();
            }

            @Override
            public Map.Entry<String, Meta> next() {
              if (i >= paths.size()) {
                throw new NoSuchElementException();
              }
              Map.Entry<String, Meta> e = Map.entry(paths.get(i), metas.get(i));
              i++;
              return e;
            }
          };
        }

        @Override
        public int size() {
          return paths.size();
        }
      };
    }

    @Override
    public SortedMap<String, Meta> subMap(String fromKey, String toKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<String, Meta> headMap(String toKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<String, Meta> tailMap(String fromKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String firstKey() {
      return paths.get(0);
    }

    @Override
    public String lastKey() {
      return paths.get(paths.size() - 1);
    }
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

  /** Forgets the indexes this process made (tests: a later lookup then behaves as in a new process). */
  static void forgetRecent() {
    synchronized (RECENT) {
      RECENT.clear();
    }
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
    SortedMap<String, Meta> below = dir.isEmpty() ? entries : entries.subMap(dir + "/", dir + "/\uffff");
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

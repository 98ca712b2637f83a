package dev.jbuild.store.apply;

/**
 * A set of root-relative paths stored as 64-bit hashes in one open-addressing table: 16 bytes per path at most,
 * so remembering the million paths of a large layer (for opaque directories, L24) costs megabytes, not the
 * hundreds a set of strings would. A collision could only keep a lower-layer file in an opaque directory; it can
 * never touch anything outside the root.
 */
final class PathSet {
  private long[] table = new long[1024];
  private int size;

  void add(String path) {
    put(hash(path));
  }

  /** Adds the path and every ancestor directory of it ("a/b/c" adds "a/b" and "a"), stopping at one already in. */
  void addWithAncestors(String path) {
    long[] prefixes = prefixHashes(path);
    for (int i = prefixes.length - 1; i >= 0; i--) {
      if (!put(prefixes[i])) {
        return;
      }
    }
  }

  boolean contains(String path) {
    return has(hash(path));
  }

  /** Whether the path or one of its ancestors is in the set. Linear in the length of the path. */
  boolean containsSelfOrAncestor(String path) {
    for (long h : prefixHashes(path)) {
      if (has(h)) {
        return true;
      }
    }
    return false;
  }

  private boolean put(long h) {
    if ((size + 1) * 2 > table.length) {
      grow();
    }
    if (insert(table, h)) {
      size++;
      return true;
    }
    return false;
  }

  private boolean has(long h) {
    int mask = table.length - 1;
    for (int i = (int) h & mask; ; i = (i + 1) & mask) {
      if (table[i] == 0) {
        return false;
      }
      if (table[i] == h) {
        return true;
      }
    }
  }

  private static boolean insert(long[] t, long h) {
    int mask = t.length - 1;
    for (int i = (int) h & mask; ; i = (i + 1) & mask) {
      if (t[i] == 0) {
        t[i] = h;
        return true;
      }
      if (t[i] == h) {
        return false;
      }
    }
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
    for (long h : table) {
      if (h != 0) {
        insert(bigger, h);
      }
    }
    table = bigger;
  }

  /** Hashes of every "/"-delimited prefix of {@code path}, shortest first, the path itself last; one pass. */
  private static long[] prefixHashes(String path) {
    int slashes = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        slashes++;
      }
    }
    long[] out = new long[slashes + 1];
    long h = SEED;
    int k = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/') {
        out[k++] = finish(h);
      }
      h = step(h, c);
    }
    out[k] = finish(h);
    return out;
  }

  private static final long SEED = 0xcbf29ce484222325L;

  static long hash(String s) {
    long h = SEED;
    for (int i = 0; i < s.length(); i++) {
      h = step(h, s.charAt(i));
    }
    return finish(h);
  }

  // FNV-1a over UTF-16 units, finished with the murmur3 mix; never 0, the empty-slot marker.
  private static long step(long h, char c) {
    return (h ^ c) * 0x100000001b3L;
  }

  private static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }
}

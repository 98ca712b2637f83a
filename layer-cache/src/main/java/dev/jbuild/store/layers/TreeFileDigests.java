package dev.jbuild.store.layers;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Content digests of files in layer trees, remembered beside each tree ({@code snapshots/sha256/HEX/digests}) so a
 * file is read once, not at every build that copies it: a tree is made once and never written to, so what a file
 * in it holds does not change. A record is used only while the file's size and mtime are what they were when it
 * was hashed, and files outside layer trees are always read.
 *
 * <pre>{@code
 * TreeFileDigests digests = TreeFileDigests.of(store);
 * Digest d = digests.digest(file);   // e.g. a COPY --from source
 * digests.save();                   // records what was learnt; best effort
 * }</pre>
 *
 * <p>Records live and die with their tree (prune deletes the whole tree directory). Two processes saving the same
 * tree's records race harmlessly: each writes a complete file by rename, and a lost record costs one more read.
 * Not thread-safe: one per build step.
 */
public final class TreeFileDigests {
  static final String FILE = "digests";

  private final Path trees;
  private final Map<Path, Map<String, String>> known = new HashMap<>(); // tree dir -> rel -> "size mtime digest"
  private final Map<Path, Boolean> changed = new HashMap<>();

  private TreeFileDigests(Path trees) {
    this.trees = trees;
  }

  public static TreeFileDigests of(Store store) {
    return new TreeFileDigests(store.root().resolve("snapshots").resolve(Digest.SHA256).toAbsolutePath().normalize());
  }

  /** The sha256 of regular file {@code file} (not following a symlink). */
  public Digest digest(Path file) throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Path tree = treeOf(abs);
    if (tree == null || !a.isRegularFile()) {
      return hash(abs);
    }
    String rel = tree.resolve("rootfs").relativize(abs).toString();
    String stamp = a.size() + " " + a.lastModifiedTime().toInstant();
    Map<String, String> records = known.computeIfAbsent(tree, TreeFileDigests::load);
    String record = records.get(rel);
    if (record != null && record.startsWith(stamp + " ")) {
      try {
        return Digest.parse(record.substring(stamp.length() + 1));
      } catch (RuntimeException | dev.jbuild.oci.InvalidDigestException e) {
        // a damaged record: read the file again
      }
    }
    Digest d = hash(abs);
    if (rel.indexOf('\n') < 0 && rel.indexOf('\r') < 0) { // a record is a line, and lines also end at \r
      records.put(rel, stamp + " " + d);
      changed.put(tree, true);
    }
    return d;
  }

  /** Writes the records learnt since {@link #of}; a failure only costs reading those files again later. */
  public void save() {
    for (Path tree : changed.keySet()) {
      Path tmp = tree.resolve(FILE + "." + UUID.randomUUID() + ".tmp");
      try {
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          for (Map.Entry<String, String> r : known.get(tree).entrySet()) {
            w.write(r.getValue());
            w.write(' ');
            w.write(r.getKey());
            w.write('\n');
          }
        }
        Files.move(tmp, tree.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException | RuntimeException e) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the tree went away (pruned): nothing to keep
        }
      }
    }
    changed.clear();
  }

  /** The tree dir ({@code snapshots/sha256/HEX}) holding {@code abs} in its rootfs, or null. */
  private Path treeOf(Path abs) {
    if (!abs.startsWith(trees) || abs.getNameCount() < trees.getNameCount() + 3) {
      return null;
    }
    Path tree = abs.subpath(0, trees.getNameCount() + 1);
    tree = abs.getRoot() == null ? tree : abs.getRoot().resolve(tree);
    String hex = tree.getFileName().toString();
    if (hex.length() != 64 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
        || !abs.getName(trees.getNameCount() + 1).toString().equals("rootfs")) {
      return null;
    }
    return tree;
  }

  /** "SIZE MTIME DIGEST REL" lines; anything unreadable is no record. */
  private static Map<String, String> load(Path tree) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(tree.resolve(FILE), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return out;
    }
    for (String line : lines) {
      String[] parts = line.split(" ", 4);
      if (parts.length == 4) {
        out.put(parts[3], parts[0] + " " + parts[1] + " " + parts[2]);
      }
    }
    return out;
  }

  private static Digest hash(Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[128 * 1024];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.sha256(md.digest());
  }
}

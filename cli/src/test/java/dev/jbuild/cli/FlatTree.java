package dev.jbuild.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The filesystem an image's layers add up to, built in memory from the layer tars with the OCI whiteout rules.
 * The equivalence tests read jbuild's layers and buildah's layers through this one class, so a difference they
 * find is in the images and not in two readers. It is written independently of jbuild's own layer applier.
 *
 * <p>Each path maps to an inode, so hard links (paths sharing an inode) are compared as groups, whatever
 * order a tool wrote them in and whichever path of the group it stored as the regular file.
 */
final class FlatTree {
  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";

  /** What hard-linked paths share. */
  private record Inode(char type, int mode, long uid, long gid, String sha256, long size, String linkTarget,
      int major, int minor, SortedMap<String, String> xattrs) {}

  private final TreeMap<String, Inode> paths = new TreeMap<>();

  /** Applies layer tars (plain or gzip, sniffed) bottom to top. */
  static FlatTree ofLayers(List<Path> layers) throws IOException {
    FlatTree tree = new FlatTree();
    for (Path layer : layers) {
      try (InputStream in = Files.newInputStream(layer)) {
        tree.apply(in, layer.toString());
      }
    }
    return tree;
  }

  /** Applies one tar (plain or gzip) on top of what the tree holds. */
  void apply(InputStream raw, String what) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw);
    in.mark(2);
    boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    List<Object[]> adds = new ArrayList<>();
    List<String> removals = new ArrayList<>();
    List<String> opaques = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip ? new GZIPInputStream(in) : in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = clean(e.getName());
        String base = name.substring(name.lastIndexOf('/') + 1);
        String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
        if (base.equals(OPAQUE)) {
          opaques.add(parent);
        } else if (base.startsWith(WHITEOUT)) {
          removals.add(join(parent, base.substring(WHITEOUT.length())));
        } else {
          adds.add(new Object[] {name, e, e.isFile() && !e.isLink() ? sha256(tar) : null});
        }
      }
    }
    // Whiteouts hide what the layers below hold, never what this layer adds, so they go first.
    for (String dir : opaques) {
      removeBelow(dir);
    }
    for (String path : removals) {
      paths.remove(path);
      removeBelow(path);
    }
    for (Object[] add : adds) {
      String name = (String) add[0];
      TarArchiveEntry e = (TarArchiveEntry) add[1];
      if (name.isEmpty()) {
        continue; // the root's own entry: which tool writes one, and with what mode, is not part of the image
      }
      Inode inode;
      if (e.isLink()) {
        inode = paths.get(clean(e.getLinkName()));
        if (inode == null) {
          throw new IOException(what + ": hard link " + name + " -> " + e.getLinkName() + " has no target");
        }
      } else {
        inode = inode(e, (String) add[2], what);
      }
      Inode old = paths.get(name);
      if (old != null && old.type() == 'd' && inode.type() != 'd') {
        removeBelow(name);
      }
      makeParents(name);
      paths.put(name, inode);
    }
  }

  /**
   * One line per path: type, mode, owner, content digest or link target, and for hard links the other paths of
   * the group. Symlink modes are left out: Linux ignores them and tools record 0777 or the umask's leftovers.
   */
  SortedMap<String, String> describe() {
    Map<Inode, TreeSet<String>> groups = new IdentityHashMap<>();
    paths.forEach((p, inode) -> groups.computeIfAbsent(inode, i -> new TreeSet<>()).add(p));
    SortedMap<String, String> out = new TreeMap<>();
    paths.forEach((p, i) -> {
      StringBuilder sb = new StringBuilder();
      switch (i.type()) {
        case 'f' -> sb.append(String.format("file %04o %d:%d sha256=%s", i.mode(), i.uid(), i.gid(), i.sha256()));
        case 'd' -> sb.append(String.format("dir %04o %d:%d", i.mode(), i.uid(), i.gid()));
        case 'l' -> sb.append(String.format("symlink %d:%d -> %s", i.uid(), i.gid(), i.linkTarget()));
        case 'c', 'b' -> sb.append(String.format("%s %d,%d %04o %d:%d", i.type() == 'c' ? "char" : "block",
            i.major(), i.minor(), i.mode(), i.uid(), i.gid()));
        default -> sb.append(String.format("fifo %04o %d:%d", i.mode(), i.uid(), i.gid()));
      }
      if (!i.xattrs().isEmpty()) {
        sb.append(" xattrs=").append(i.xattrs());
      }
      TreeSet<String> group = groups.get(i);
      if (i.type() != 'd' && group.size() > 1) {
        TreeSet<String> others = new TreeSet<>(group);
        others.remove(p);
        sb.append(" hardlinks=").append(others);
      }
      out.put(p, sb.toString());
    });
    return out;
  }

  boolean isEmptyDirectory(String path) {
    Inode i = paths.get(path);
    return i != null && i.type() == 'd' && !hasChildren(path);
  }

  boolean isEmptyFile(String path) {
    Inode i = paths.get(path);
    return i != null && i.type() == 'f' && i.size() == 0;
  }

  private boolean hasChildren(String dir) {
    String prefix = dir + "/";
    String next = paths.higherKey(prefix);
    return next != null && next.startsWith(prefix);
  }

  private void removeBelow(String dir) {
    String prefix = dir.isEmpty() ? "" : dir + "/";
    paths.keySet().removeIf(p -> !p.isEmpty() && p.startsWith(prefix) && !p.equals(dir));
  }

  /** A layer may leave out parents that the layers below have; one that nobody made is a plain 0755 dir. */
  private void makeParents(String name) {
    int slash = name.lastIndexOf('/');
    if (slash > 0 && !paths.containsKey(name.substring(0, slash))) {
      makeParents(name.substring(0, slash));
      paths.put(name.substring(0, slash), new Inode('d', 0755, 0, 0, null, 0, null, 0, 0, new TreeMap<>()));
    }
  }

  private static Inode inode(TarArchiveEntry e, String sha, String what) throws IOException {
    char type;
    if (e.isDirectory()) {
      type = 'd';
    } else if (e.isSymbolicLink()) {
      type = 'l';
    } else if (e.isCharacterDevice()) {
      type = 'c';
    } else if (e.isBlockDevice()) {
      type = 'b';
    } else if (e.isFIFO()) {
      type = 'p';
    } else if (e.isFile()) {
      type = 'f';
    } else {
      throw new IOException(what + ": unexpected tar entry type " + (char) e.getLinkFlag() + " for " + e.getName());
    }
    SortedMap<String, String> xattrs = new TreeMap<>();
    e.getExtraPaxHeaders().forEach((k, v) -> {
      if (k.startsWith("SCHILY.xattr.")) {
        xattrs.put(k.substring("SCHILY.xattr.".length()), v);
      }
    });
    return new Inode(type, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(), sha, e.getSize(),
        type == 'l' ? e.getLinkName() : null, e.getDevMajor(), e.getDevMinor(), xattrs);
  }

  /** Layer names are relative; tools differ in writing {@code ./}, a leading {@code /} or a trailing {@code /}. */
  static String clean(String name) {
    String n = name;
    while (n.startsWith("./") || n.startsWith("/")) {
      n = n.startsWith("./") ? n.substring(2) : n.substring(1);
    }
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.equals(".") ? "" : n;
  }

  private static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  private static String sha256(InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

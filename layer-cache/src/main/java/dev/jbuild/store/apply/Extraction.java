package dev.jbuild.store.apply;

import dev.jbuild.store.apply.RootResolver.Dir;
import dev.jbuild.store.apply.TarReader.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One apply in progress: the per-entry rules. Whiteouts are in {@link WhiteoutRules}. */
final class Extraction {
  private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t) -1 means "unchanged" to chown
  private static final long MAX_DEV = 0xFFFF_FFFFL;

  /** Directory mode and mtime, applied at the end: creating children changes a directory's mtime. */
  private record Pending(String rel, int mode, long seconds, int nanos) {}

  final Path root;
  final ApplyOptions options;
  final RootResolver resolver;
  final PathSet created = new PathSet();
  /** Directories this apply made: until {@link #finish} none has setgid, so new files in them get our gid. */
  final PathSet madeDirs = new PathSet();
  private final long euid;
  private final long egid;
  private final List<Pending> pending = new ArrayList<>();
  private final WhiteoutRules whiteouts;
  private int warnings;

  Extraction(Path realRoot, ApplyOptions options) {
    this.root = realRoot;
    this.options = options;
    this.resolver = new RootResolver(realRoot, madeDirs);
    this.whiteouts = new WhiteoutRules(this);
    this.euid = ApplyOptions.currentUid();
    long gid = -1;
    try {
      gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
      if (((Integer) Files.getAttribute(realRoot, "unix:mode") & 02000) == 0) {
        madeDirs.add("");
      }
    } catch (IOException | RuntimeException e) {
      // unknown: every entry gets an explicit chown
    }
    this.egid = gid;
  }

  int warnings() {
    return warnings;
  }

  void warn(String message) {
    warnings++;
    options.warnings().accept(message);
  }

  /** Cleans a tar name into components; "" and "." give none (the root). Climbing above the root is an error. */
  static String[] clean(String name, String entry, String what) throws LayerApplyException {
    List<String> out = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (out.isEmpty()) {
          throw new LayerApplyException(entry, what + " \"" + name + "\" climbs out of the root");
        }
        out.remove(out.size() - 1);
        continue;
      }
      out.add(c);
    }
    return out.toArray(new String[0]);
  }

  void apply(Entry e, TarReader reader) throws IOException, LayerApplyException {
    String[] comps = clean(e.name(), e.name(), "name");
    int n = comps.length;
    if (n == 0) {
      if (e.type() != '5') {
        throw new LayerApplyException(e.name(), "refusing to change the type of the root directory");
      }
      owner(root, e, null);
      pending.add(new Pending("", e.mode(), e.mtimeSeconds(), e.mtimeNanos()));
      return;
    }
    String base = comps[n - 1];
    if (base.startsWith(WhiteoutRules.PREFIX)) {
      whiteouts.apply(e, comps);
      return;
    }
    Dir parent = resolver.dir(comps, n - 1, true, e.name());
    Dir self = resolver.child(parent, base);
    Path target = self.path();
    // Regular files, the bulk of a layer, skip the lstat: creating one fails when something is in the way.
    BasicFileAttributes existing = e.type() == '0' ? null : FsOps.lstat(target);
    switch (e.type()) {
      case '5' -> directory(e, comps, self, existing);
      case '0' -> regular(e, target, parent, reader);
      case '2' -> symlink(e, target, existing);
      case '1' -> hardlink(e, target, existing);
      default -> {
        if (!special(e, target, existing)) {
          return;
        }
      }
    }
    created.addWithAncestors(self.rel());
  }

  private void directory(Entry e, String[] comps, Dir self, BasicFileAttributes existing)
      throws IOException, LayerApplyException {
    if (existing != null && !existing.isDirectory()) {
      remove(self.path(), existing);
      existing = null;
    }
    boolean fresh = existing == null;
    if (fresh) {
      Files.createDirectory(self.path());
      madeDirs.add(self.rel());
    }
    resolver.remember(String.join("/", comps), self);
    owner(self.path(), e, fresh ? parentRel(self) : null);
    xattrs(self.path(), e);
    pending.add(new Pending(self.rel(), e.mode(), e.mtimeSeconds(), e.mtimeNanos()));
  }

  private void regular(Entry e, Path target, Dir parent, TarReader reader) throws IOException, LayerApplyException {
    FileChannel created;
    try {
      created = create(target);
    } catch (FileAlreadyExistsException ex) {
      BasicFileAttributes existing = FsOps.lstat(target);
      if (existing != null) {
        remove(target, existing); // never write into an existing inode: it may be hard-linked elsewhere
      }
      created = create(target);
    }
    try (FileChannel ch = created) {
      reader.copyContent(ch);
    }
    owner(target, e, parent.rel());
    FsOps.chmod(target, e.mode());
    xattrs(target, e);
    FsOps.setMtime(target, e.mtimeSeconds(), e.mtimeNanos());
  }

  /** O_CREAT|O_EXCL|O_NOFOLLOW: never opens anything that was already there, a symlink least of all. */
  private static FileChannel create(Path target) throws IOException {
    return FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  private static String parentRel(Dir self) {
    int slash = self.rel().lastIndexOf('/');
    return slash < 0 ? "" : self.rel().substring(0, slash);
  }

  private void symlink(Entry e, Path target, BasicFileAttributes existing) throws IOException, LayerApplyException {
    if (e.linkName().isEmpty()) {
      throw new LayerApplyException(e.name(), "symbolic link with an empty target");
    }
    if (existing != null) {
      remove(target, existing);
    }
    // Stored verbatim (as a Path, so repeated and trailing slashes are dropped); resolved in-root only when used.
    Files.createSymbolicLink(target, Path.of(e.linkName()));
    owner(target, e, null);
    xattrs(target, e);
    FsOps.setMtime(target, e.mtimeSeconds(), e.mtimeNanos());
  }

  /** No metadata is applied to a hard link: it is the target's inode, whose metadata its own entry set. */
  private void hardlink(Entry e, Path target, BasicFileAttributes existing) throws IOException, LayerApplyException {
    String[] t = clean(e.linkName(), e.name(), "hard link target");
    if (t.length == 0) {
      throw new LayerApplyException(e.name(), "hard link to the root directory");
    }
    Dir parent = resolver.dir(t, t.length - 1, false, e.name());
    Path source = parent == null ? null : parent.path().resolve(t[t.length - 1]);
    BasicFileAttributes a = source == null ? null : FsOps.lstat(source);
    if (a == null) {
      throw new LayerApplyException(e.name(), "hard link target \"" + e.linkName() + "\" does not exist in the root");
    }
    if (a.isDirectory()) {
      throw new LayerApplyException(e.name(), "hard link target \"" + e.linkName() + "\" is a directory");
    }
    if (existing != null) {
      if (Objects.equals(existing.fileKey(), a.fileKey())) {
        return; // already that inode (a duplicate entry, or a link to itself)
      }
      remove(target, existing);
    }
    Files.createLink(target, source); // link(2) does not follow a symlink source: the link is to the symlink (L16)
  }

  /** Fifos and devices, made by the host's mknod (Java cannot). Returns false when skipped. */
  private boolean special(Entry e, Path target, BasicFileAttributes existing) throws IOException, LayerApplyException {
    char t = e.type();
    if (t != '6') {
      if (e.devMajor() < 0 || e.devMajor() > MAX_DEV || e.devMinor() < 0 || e.devMinor() > MAX_DEV) {
        throw new LayerApplyException(e.name(), "device number " + e.devMajor() + ":" + e.devMinor()
            + " is out of range");
      }
      if (options.rootless()) {
        warn("skipped device node " + e.name() + " (" + e.devMajor() + ":" + e.devMinor() + "): rootless");
        return false;
      }
    }
    if (existing != null) {
      remove(target, existing);
    }
    List<String> cmd = new ArrayList<>(List.of(FsOps.hostTool("/usr/bin/mknod", "/bin/mknod").toString(), "-m",
        Integer.toOctalString(e.mode()), "--", target.toString()));
    if (t == '6') {
      cmd.add("p");
    } else {
      cmd.addAll(List.of(t == '3' ? "c" : "b", Long.toString(e.devMajor()), Long.toString(e.devMinor())));
    }
    try {
      FsOps.run(cmd);
    } catch (IOException ex) {
      throw new LayerApplyException(e.name(), "cannot create the " + (t == '6' ? "fifo" : "device node")
          + ": " + ex.getMessage(), ex);
    }
    owner(target, e, null);
    xattrs(target, e);
    // utimensat(AT_SYMLINK_NOFOLLOW) through touch -h: the JDK would open the node, and opening a device can act.
    FsOps.run(List.of(FsOps.hostTool("/usr/bin/touch", "/bin/touch").toString(), "-h", "-m", "-d",
        "@" + e.mtimeSeconds() + "." + String.format("%09d", e.mtimeNanos()), "--", target.toString()));
    return true;
  }

  /**
   * Chowns to the entry's owner. {@code freshIn} is the parent's rel path when the file was just created there:
   * then it already belongs to us, and when that is the wanted owner (and the parent has no setgid) the two
   * lchown calls are skipped, a large share of the cost of a small file.
   */
  void owner(Path p, Entry e, String freshIn) throws IOException, LayerApplyException {
    if (!options.sameOwner()) {
      return;
    }
    if (freshIn != null && e.uid() == euid && e.gid() == egid && madeDirs.contains(freshIn)) {
      return;
    }
    if (e.uid() > MAX_ID || e.gid() > MAX_ID) {
      throw new LayerApplyException(e.name(), "uid/gid " + e.uid() + ":" + e.gid() + " is out of range");
    }
    try {
      FsOps.chown(p, e.uid(), e.gid());
    } catch (IOException ex) {
      if (!options.rootless()) {
        throw ex;
      }
      warn("cannot chown " + e.name() + " to " + e.uid() + ":" + e.gid() + ": " + ex.getMessage());
    }
  }

  /**
   * Sets the entry's xattrs where the kernel allows, warning otherwise (L34). Overlay's own xattrs are never taken
   * from a layer: on a tree used as a lower dir they would steer the overlay mount (redirects, opaque, whiteouts).
   */
  private void xattrs(Path p, Entry e) {
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      String k = x.getKey();
      if (k.startsWith("trusted.overlay.") || k.startsWith("user.overlay.")) {
        warn("ignored xattr " + k + " on " + e.name() + ": overlay metadata is not taken from layers");
        continue;
      }
      try {
        if (k.startsWith("user.") && (e.type() == '0' || e.type() == '5')) {
          Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .write(k.substring(5), ByteBuffer.wrap(x.getValue()));
        } else {
          setfattr(p, k, x.getValue());
        }
      } catch (IOException | RuntimeException ex) {
        warn("cannot set xattr " + k + " on " + e.name() + ": " + ex.getMessage());
      }
    }
  }

  /** setfattr -h works on the link itself (lsetxattr) and opens nothing. */
  static void setfattr(Path p, String name, byte[] value) throws IOException {
    FsOps.run(List.of(FsOps.hostTool("/usr/bin/setfattr", "/bin/setfattr").toString(), "-h", "-n", name, "-v",
        "0s" + Base64.getEncoder().encodeToString(value), "--", p.toString()));
  }

  /** Removes what is in the way; removing a directory or a symlink can change resolutions, so the cache goes. */
  void remove(Path p, BasicFileAttributes a) throws IOException {
    if (a.isDirectory()) {
      FsOps.deleteTree(p);
      resolver.invalidate();
    } else {
      Files.delete(p);
      if (a.isSymbolicLink()) {
        resolver.invalidate();
      }
    }
  }

  /** Applies the deferred directory modes and mtimes, re-checking that no component became a symlink. */
  void finish() throws IOException {
    for (Pending d : pending) {
      Path p = resolver.strict(d.rel());
      if (p != null) {
        FsOps.chmod(p, d.mode());
        FsOps.setMtime(p, d.seconds(), d.nanos());
      }
    }
    pending.clear();
  }
}

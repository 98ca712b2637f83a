package dev.jbuild.store.apply;

import dev.jbuild.store.apply.RootResolver.Dir;
import dev.jbuild.store.apply.TarReader.Entry;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** {@code .wh.NAME} and {@code .wh..wh..opq} entries, deleted from the root or turned into overlayfs whiteouts. */
final class WhiteoutRules {
  static final String PREFIX = LayerEntry.WHITEOUT_PREFIX;
  private static final String OPAQUE = LayerEntry.OPAQUE_WHITEOUT;
  private static final String META = ".wh..wh.";

  private final Extraction x;
  private final PathSet opaqued = new PathSet();

  WhiteoutRules(Extraction x) {
    this.x = x;
  }

  void apply(Entry e, String[] comps) throws IOException, LayerApplyException {
    String base = comps[comps.length - 1];
    boolean overlay = x.options.whiteouts() == ApplyOptions.Whiteouts.OVERLAY;
    if (base.equals(OPAQUE)) {
      Dir dir = x.resolver.dir(comps, comps.length - 1, overlay, e.name());
      if (dir == null) {
        return; // no such directory below: nothing to hide
      }
      if (overlay) {
        markOpaque(e, dir);
      } else {
        clearLower(dir);
      }
      return;
    }
    if (base.startsWith(META)) {
      x.warn("ignored aufs metadata entry " + e.name());
      return;
    }
    String hidden = base.substring(PREFIX.length());
    if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
      throw new LayerApplyException(e.name(), "invalid whiteout name");
    }
    Dir parent = x.resolver.dir(comps, comps.length - 1, overlay, e.name());
    if (parent == null) {
      return;
    }
    Dir victim = x.resolver.child(parent, hidden);
    BasicFileAttributes a = FsOps.lstat(victim.path());
    if (a != null) {
      x.remove(victim.path(), a); // a symlink goes itself, never its target (L22)
    }
    if (overlay) {
      try {
        // Character device 0/0 is overlayfs's whiteout; since Linux 5.8 it needs no CAP_MKNOD.
        FsOps.run(List.of(FsOps.hostTool("/usr/bin/mknod", "/bin/mknod").toString(), "--",
            victim.path().toString(), "c", "0", "0"));
      } catch (IOException ex) {
        throw new LayerApplyException(e.name(), "cannot create the overlay whiteout: " + ex.getMessage(), ex);
      }
      x.created.addWithAncestors(victim.rel());
    }
  }

  private void markOpaque(Entry e, Dir dir) throws LayerApplyException {
    String name = (x.options.rootless() ? "user" : "trusted") + ".overlay.opaque";
    try {
      Extraction.setfattr(dir.path(), name, "y".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException ex) {
      throw new LayerApplyException(e.name(), "cannot mark the directory opaque: " + ex.getMessage(), ex);
    }
  }

  /**
   * Removes everything below {@code dir} that this layer did not put there, wherever the marker sits among the
   * layer's entries (L24). Each node is visited at most once per layer: a directory already cleared, or inside
   * one, holds only this layer's content from then on.
   */
  private void clearLower(Dir dir) throws IOException {
    if (opaqued.containsSelfOrAncestor(dir.rel())) {
      return;
    }
    opaqued.add(dir.rel());
    Deque<Dir> stack = new ArrayDeque<>();
    stack.push(dir);
    while (!stack.isEmpty()) {
      Dir d = stack.pop();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(d.path())) {
        for (Path c : children) {
          Dir child = x.resolver.child(d, c.getFileName().toString());
          BasicFileAttributes a = FsOps.lstat(c);
          if (a == null) {
            continue;
          }
          if (!x.created.contains(child.rel())) {
            x.remove(c, a);
          } else if (a.isDirectory() && !opaqued.contains(child.rel())) {
            stack.push(child);
          }
        }
      }
    }
    x.resolver.invalidate();
  }
}

package dev.jbuild.store.archive;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages.StoredImage;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Flattens an image into one root filesystem tar ({@code jbuild export}), streaming, with nothing extracted.
 *
 * <p>Layers are read from the top down, as go-containerregistry's {@code mutate.Extract} does: an entry is written
 * unless an upper layer already wrote that path, whited it out, made an ancestor opaque or replaced an ancestor
 * by a non-directory. Only paths are remembered, never content. A visible hardlink whose target this layer did not
 * write (the target was overwritten or deleted above, or lives in a lower layer) becomes a regular file with the
 * target's content, found by reading the layers again; later links to the same target in the layer point at it.
 *
 * <p>With {@code containerFiles}, the entries docker's container init layer adds are appended where the image
 * lacks them ({@code .dockerenv}, {@code dev/}, {@code proc/}, {@code sys/}, {@code etc/hostname}, ...), so the
 * result reads like {@code docker export} of a container made from the image.
 */
public final class RootfsExporter {
  private static final String WHITEOUT = LayerEntry.WHITEOUT_PREFIX;
  private static final String OPAQUE = LayerEntry.OPAQUE_WHITEOUT;

  private final BlobStore blobs;
  private final List<Descriptor> layers;
  /** Path to the index of the layer that wrote it (higher is upper). */
  private final Map<String, Integer> written = new HashMap<>();
  /** Paths whose whole subtree is gone for lower layers: whiteouts and non-directories written above. */
  private final Set<String> removed = new HashSet<>();
  /** Directories whose lower contents are hidden. */
  private final Set<String> opaque = new HashSet<>();
  private final long[] sparseBudget = {TarCopy.MAX_SPARSE_EXPANSION};

  private RootfsExporter(BlobStore blobs, List<Descriptor> layers) {
    this.blobs = blobs;
    this.layers = layers;
  }

  /** Writes the flattened filesystem of {@code image} to {@code out} (not closed). */
  public static void export(BlobStore blobs, StoredImage image, boolean containerFiles, OutputStream out)
      throws StoreException, IOException {
    RootfsExporter x = new RootfsExporter(blobs, image.manifest().layers());
    try (TarArchiveOutputStream tar = TarCopy.output(out)) {
      for (int i = x.layers.size() - 1; i >= 0; i--) {
        x.layer(i, tar);
      }
      if (containerFiles) {
        x.containerFiles(tar);
      }
      tar.finish();
    }
    out.flush();
  }

  private void layer(int index, TarArchiveOutputStream out) throws StoreException, IOException {
    Descriptor layer = layers.get(index);
    String source = "layer " + index + " " + layer.digest();
    Set<String> newRemoved = new HashSet<>();
    Set<String> newOpaque = new HashSet<>();
    Map<String, String> relinked = new HashMap<>();
    try (InputStream raw = Decompression.open(blobs.open(layer.digest()))) {
      TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isGlobalPaxHeader()) {
          continue;
        }
        String path = TarNames.clean(e.getName(), source);
        if (path.isEmpty()) {
          continue;
        }
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String base = path.substring(slash + 1);
        if (base.equals(OPAQUE)) {
          newOpaque.add(dir);
          continue;
        }
        if (base.startsWith(WHITEOUT)) {
          if (!base.startsWith(WHITEOUT + WHITEOUT)) { // .wh..wh.plnk and friends are aufs bookkeeping
            newRemoved.add(dir.isEmpty() ? base.substring(4) : dir + "/" + base.substring(4));
          }
          continue;
        }
        if (hidden(path, index)) {
          continue;
        }
        written.put(path, index);
        if (!e.isDirectory()) {
          newRemoved.add(path);
        }
        emit(index, in, e, path, relinked, out, source);
      }
    } catch (IOException ex) {
      throw new ArchiveException(source + " is unreadable: " + ex.getMessage(), ex);
    }
    removed.addAll(newRemoved);
    opaque.addAll(newOpaque);
  }

  /** Whether an upper layer decided {@code path} already. Entries of the same layer may repeat (the last wins). */
  private boolean hidden(String path, int index) {
    Integer by = written.get(path);
    if (by != null && by > index) {
      return true;
    }
    if (removed.contains(path)) {
      return true;
    }
    for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      String ancestor = path.substring(0, i);
      if (removed.contains(ancestor) || opaque.contains(ancestor)) {
        return true;
      }
    }
    return false;
  }

  private void emit(int index, TarArchiveInputStream in, TarArchiveEntry e, String path,
      Map<String, String> relinked, TarArchiveOutputStream out, String source) throws IOException, StoreException {
    String where = source + ": " + TarNames.shown(path);
    if (e.isLink()) {
      String target = TarNames.clean(e.getLinkName(), where + " (hardlink target)");
      if (relinked.containsKey(target)) {
        target = relinked.get(target);
      } else if (!Integer.valueOf(index).equals(written.get(target)) || target.equals(path)) {
        relinked.put(target, path);
        materialize(index, e, path, target, out, where);
        return;
      }
      out.putArchiveEntry(TarCopy.header(e, path, TarConstants.LF_LINK, target, 0));
    } else if (e.isSymbolicLink()) {
      out.putArchiveEntry(TarCopy.header(e, path, TarConstants.LF_SYMLINK, e.getLinkName(), 0));
    } else if (e.isDirectory()) {
      out.putArchiveEntry(TarCopy.header(e, path, TarConstants.LF_DIR, null, 0));
    } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
      out.putArchiveEntry(TarCopy.header(e, path, e.getLinkFlag(), null, 0));
    } else {
      // A GNU sparse file (a layer tar may hold one) is read whole, holes as zeros, and written as a plain file.
      long size = contentSize(e, where);
      out.putArchiveEntry(TarCopy.header(e, path, TarConstants.LF_NORMAL, null, size));
      TarCopy.copy(in, out, size, where);
    }
    out.closeArchiveEntry();
  }

  private long contentSize(TarArchiveEntry e, String where) throws ArchiveException {
    return e.isSparse() ? TarCopy.sparseSize(e, where, sparseBudget) : e.getSize();
  }

  /**
   * Writes the hardlink {@code path} as a regular file holding {@code target}'s content: the last regular file of
   * that name in this layer or, failing that, in the layers below.
   */
  private void materialize(int index, TarArchiveEntry link, String path, String target, TarArchiveOutputStream out,
      String where) throws IOException, StoreException {
    for (int i = index; i >= 0; i--) {
      if (copyLastRegular(i, target, link, path, out, where)) {
        return;
      }
    }
    throw new ArchiveException(where + ": hardlink to " + TarNames.shown(target) + ", which no layer holds");
  }

  private boolean copyLastRegular(int index, String target, TarArchiveEntry link, String path,
      TarArchiveOutputStream out, String where) throws IOException, StoreException {
    int occurrences = 0;
    try (InputStream raw = Decompression.open(blobs.open(layers.get(index).digest()))) {
      TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.isFile() && !e.isLink() && !e.isSymbolicLink() && target.equals(TarNames.clean(e.getName(), where))) {
          occurrences++;
        }
      }
    }
    if (occurrences == 0) {
      return false;
    }
    try (InputStream raw = Decompression.open(blobs.open(layers.get(index).digest()))) {
      TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.isFile() && !e.isLink() && !e.isSymbolicLink() && target.equals(TarNames.clean(e.getName(), where))
            && --occurrences == 0) {
          long size = contentSize(e, where);
          out.putArchiveEntry(TarCopy.header(link, path, TarConstants.LF_NORMAL, null, size));
          TarCopy.copy(in, out, size, where);
          out.closeArchiveEntry();
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the flattened image has {@code path}, or has a non-directory where one of its ancestors would be. */
  private boolean present(String path) {
    if (written.containsKey(path)) {
      return true;
    }
    for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      String ancestor = path.substring(0, i);
      if (written.containsKey(ancestor) && removed.contains(ancestor)) {
        return true;
      }
    }
    return false;
  }

  /** What docker's init layer holds (moby daemon/initlayer), added only where the image has nothing. */
  private void containerFiles(TarArchiveOutputStream out) throws IOException {
    List<String[]> entries = new ArrayList<>();
    entries.add(new String[] {".dockerenv", "f"});
    entries.add(new String[] {"dev", "d"});
    entries.add(new String[] {"dev/console", "f"});
    entries.add(new String[] {"dev/pts", "d"});
    entries.add(new String[] {"dev/shm", "d"});
    entries.add(new String[] {"etc", "d"});
    entries.add(new String[] {"etc/hostname", "f"});
    entries.add(new String[] {"etc/hosts", "f"});
    entries.add(new String[] {"etc/mtab", "l"});
    entries.add(new String[] {"etc/resolv.conf", "f"});
    entries.add(new String[] {"proc", "d"});
    entries.add(new String[] {"sys", "d"});
    for (String[] x : entries) {
      if (present(x[0])) {
        continue;
      }
      TarArchiveEntry e;
      if (x[1].equals("d")) {
        e = new TarArchiveEntry(x[0] + "/", TarConstants.LF_DIR);
        e.setMode(040755);
      } else if (x[1].equals("l")) {
        e = new TarArchiveEntry(x[0], TarConstants.LF_SYMLINK);
        e.setLinkName("/proc/mounts");
        e.setMode(0120777);
      } else {
        e = new TarArchiveEntry(x[0], TarConstants.LF_NORMAL);
        e.setMode(0100755);
      }
      e.setUserName("");
      e.setGroupName("");
      e.setModTime(0L);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
    }
  }
}

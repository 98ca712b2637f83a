package dev.jbuild.builder.internal;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.layers.LayerTrees;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The final filesystem of a stage or image, read without flattening it: names, types, modes and owners come from
 * the {@link FileIndex} (the layers' tar headers with whiteouts applied), and a regular file's bytes from the
 * topmost extracted layer tree ({@link LayerTrees}, one per layer, shared by the whole store) that holds it. Layer
 * trees are extracted lazily from the top, so copying one file out of a large image extracts only the layers down
 * to the one holding it.
 */
final class StageTree implements SourceTree {
  private final FileIndex index;
  private final List<Descriptor> layers;
  private final List<Digest> diffIds;
  private final LayerTrees trees;
  private final String description;
  private final Path[] extracted;

  StageTree(FileIndex index, List<Descriptor> layers, List<Digest> diffIds, LayerTrees trees, String description)
      throws IOException {
    if (layers.size() != diffIds.size()) {
      throw new IOException(description + " has " + layers.size() + " layers but " + diffIds.size() + " diff_ids");
    }
    this.index = index;
    this.layers = List.copyOf(layers);
    this.diffIds = List.copyOf(diffIds);
    this.trees = trees;
    this.description = description;
    this.extracted = new Path[layers.size()];
  }

  @Override
  public Node lstat(String path) {
    if (path.isEmpty()) {
      return new Node(LayerEntry.Type.DIRECTORY, 0755, 0, 0, Instant.EPOCH, null);
    }
    FileIndex.Meta m = index.get(path);
    if (m == null) {
      return index.hasChildren(path) ? new Node(LayerEntry.Type.DIRECTORY, 0755, 0, 0, Instant.EPOCH, null) : null;
    }
    LayerEntry.Type type = m.type() == LayerEntry.Type.HARDLINK ? LayerEntry.Type.REGULAR : m.type();
    return new Node(type, m.mode(), m.uid(), m.gid(), m.mtime(), m.symlink() ? m.linkTarget() : null);
  }

  @Override
  public List<String> list(String dir) {
    return new ArrayList<>(index.children(dir));
  }

  @Override
  public Path content(String path) throws IOException {
    for (int i = layers.size() - 1; i >= 0; i--) {
      Path tree = tree(i);
      Path p = inTree(tree, path);
      if (p != null && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return p;
      }
    }
    throw new IOException(path + " is listed in the layers of " + description + " but no layer tree holds it");
  }

  private Path tree(int i) throws IOException {
    if (extracted[i] == null) {
      try {
        extracted[i] = trees.ensure(layers.get(i), diffIds.get(i));
      } catch (StoreException e) {
        throw new IOException("cannot extract layer " + layers.get(i).digest() + " of " + description + ": "
            + e.getMessage(), e);
      }
    }
    return extracted[i];
  }

  /** The path in one layer tree, or null when a parent there is not a real directory (never followed). */
  private static Path inTree(Path tree, String path) {
    Path p = tree;
    String[] parts = path.split("/");
    for (int i = 0; i < parts.length; i++) {
      p = p.resolve(parts[i]);
      if (i < parts.length - 1 && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
    }
    return p;
  }

  @Override
  public boolean keepsOwners() {
    return true;
  }

  @Override
  public String describe() {
    return description;
  }
}

package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.layers.LayerTrees;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Turns the entries a step produced into a layer: adds the parent directories an overlay diff would carry,
 * writes the reproducible tar into the store, and records the layer and its history line in the stage.
 */
final class LayerCommit {
  private LayerCommit() {}

  static void commit(StepContext ctx, StageState state, Instruction instruction, TreeMap<String, LayerEntry> entries)
      throws BuildException {
    commit(ctx, state, instruction, entries, false);
  }

  /**
   * Like {@link #commit(StepContext, StageState, Instruction, TreeMap)}; when {@code independent} (COPY --link) the
   * parent directories the layer carries are fresh (0755, 0:0) instead of copies of the image's, so the layer's
   * bytes do not depend on what lies below it.
   */
  static void commit(StepContext ctx, StageState state, Instruction instruction, TreeMap<String, LayerEntry> entries,
      boolean independent) throws BuildException {
    try {
      FileIndex files = state.files(ctx.store());
      addParents(ctx, independent ? new FileIndex() : files, entries);
      List<LayerEntry> sorted = new ArrayList<>(entries.values());
      Layer layer = state.treeWanted()
          ? LayerTrees.of(ctx.store()).writeLayerWithTree(sorted, ctx.sourceDateEpoch())
          : LayerBlobs.writeLayer(ctx.store().blobs(), sorted, ctx.sourceDateEpoch());
      for (LayerEntry e : sorted) {
        files.put(e.path(), FileIndex.Meta.of(e));
      }
      ImageConfig.HistoryEntry history =
          new ImageConfig.HistoryEntry(ctx.timestamp(), createdBy(instruction), null, null, false);
      state.addLayer(layer.blob(), state.config().withLayer(layer.diffId(), history));
    } catch (IOException | StoreException e) {
      throw new BuildException(ctx.where(instruction) + ": cannot write the layer: " + e.getMessage(), e);
    }
  }

  /** Records a step that changed only the config, with {@code empty_layer} as docker writes it. */
  static void emptyLayer(StepContext ctx, StageState state, Instruction instruction) {
    state.setConfig(state.config().withEmptyLayerHistory(
        new ImageConfig.HistoryEntry(ctx.timestamp(), createdBy(instruction), null, null, true)));
  }

  static String createdBy(Instruction instruction) {
    return instruction.original().strip();
  }

  private static void addParents(StepContext ctx, FileIndex files, TreeMap<String, LayerEntry> entries) {
    List<String> paths = new ArrayList<>(entries.keySet());
    Instant now = ctx.timestamp();
    for (String path : paths) {
      int slash = path.lastIndexOf('/');
      while (slash > 0) {
        String parent = path.substring(0, slash);
        if (!entries.containsKey(parent)) {
          FileIndex.Meta existing = files.get(parent);
          entries.put(parent, existing != null && existing.directory()
              ? LayerEntry.directory(parent, existing.mode(), existing.uid(), existing.gid(), existing.mtime())
              : LayerEntry.directory(parent, 0755, 0, 0, now));
        }
        slash = parent.lastIndexOf('/');
      }
    }
  }
}

/**
 * Extracted layer trees: each layer of the store unpacked once, by diffID, for use as an overlay lower dir. A layer
 * a RUN step wrote needs no unpacking: the step's overlay upper dir becomes its tree ({@code LayerTrees.adopt}).
 *
 * <pre>
 * ROOT/snapshots/sha256/HEX/rootfs/     the tree of the layer whose diffID is sha256:HEX (complete, read-only by use)
 * ROOT/snapshots/tmp-HEX-RANDOM/        an extraction (or adoption) in progress: an "incomplete" marker and rootfs/
 * ROOT/snapshots/writing-RANDOM/        a layer being written and extracted at once: rootfs/ and a file-locked "lock"
 * </pre>
 *
 * <p>Entry point: {@link dev.jbuild.store.layers.LayerTrees#of(dev.jbuild.store.Store)}.
 */
package dev.jbuild.store.layers;

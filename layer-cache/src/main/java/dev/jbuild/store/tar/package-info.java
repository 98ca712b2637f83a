/**
 * Reproducible layer tars (DESIGN 2): {@link dev.jbuild.store.tar.LayerEntry} describes one entry, {@link
 * dev.jbuild.store.tar.LayerTarWriter} writes a sorted PAX tar with numeric owners and clamped times, and {@link
 * dev.jbuild.store.tar.LayerBlobs} streams it straight into the blob store and compresses it only on demand (with {@link
 * dev.jbuild.store.compress}).
 */
package dev.jbuild.store.tar;

/**
 * Layer compression (DESIGN 2): {@link dev.jbuild.store.compress.ParallelGzipOutputStream} writes gzip over all
 * cores pigz-style with output that does not depend on the thread count, {@link dev.jbuild.store.compress.Zstd}
 * reads and writes zstd through zstd-jni, and {@link dev.jbuild.store.compress.Decompress} opens a layer by its
 * magic number with a cap on the uncompressed size (CASES L30/L31).
 */
package dev.jbuild.store.compress;

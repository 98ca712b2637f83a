/**
 * The build cache index (DESIGN 4): step keys, the key to result map, and the context hasher with its stat cache.
 *
 * <pre>
 * ROOT/cache/keys/HEX.json             one result per step key (a small JSON file, created once, never edited)
 * ROOT/cache/parents/PHEX/HEX          empty markers: the keys built after the parent PHEX (for explanations)
 * ROOT/cache/stat/HEX                  the stat cache of one build context (HEX = sha256 of its real path)
 * ROOT/cache/layers/HEX                what a layer's tar headers say, for the builder (HEX = the layer blob's hex)
 * ROOT/cache/tmp/                      temp files of the writes above, renamed or linked into place
 * </pre>
 *
 * <p>{@link dev.jbuild.store.cache.CacheKey} hashes a step's inputs; {@link dev.jbuild.store.cache.BuildCache} maps
 * keys to {@link dev.jbuild.store.cache.CacheEntry} results and explains misses; {@link
 * dev.jbuild.store.cache.ContextHasher} hashes COPY/ADD sources without re-reading unchanged files. Everything under
 * {@code cache/} may be deleted at any time (prune does): the worst outcome is a rebuild.
 */
package dev.jbuild.store.cache;

/**
 * Store administration: garbage collection ({@link dev.jbuild.store.admin.StoreGc}), verification and repair
 * ({@link dev.jbuild.store.admin.StoreCheck}), disk usage ({@link dev.jbuild.store.admin.DiskUsage}), image
 * removal ({@link dev.jbuild.store.admin.ImageRemover}) and image history
 * ({@link dev.jbuild.store.admin.ImageHistory}), behind {@code jbuild prune}, {@code system check}, {@code system
 * df}, {@code rmi} and {@code history}.
 *
 * <p>Reachability: the roots are the entries of {@code index.json} (tagged and untagged) and whatever the build
 * cache pins. From a root, an index leads to the child manifests that are present, a manifest to its config, layers
 * and subject; the config's diffIDs lead to the compressed copies recorded under {@code compression/} and to the
 * extracted trees under {@code snapshots/}. Everything else may go.
 *
 * <p>Concurrency with other jbuild processes: prune holds the ref lock from reading the roots until the last
 * deletion, so a tag written meanwhile waits and is never lost; each blob is deleted under its own lock. A build
 * writes its blobs before it tags them, so between the two its blobs look unreachable: prune therefore keeps
 * anything modified within a grace period (one hour by default), and the blob store refreshes a blob's mtime
 * whenever a writer finds it already present, so reusing an old unreferenced blob restarts its grace period. Only
 * files in {@code blobs/} are ever deleted as blobs; temp files of live writers in {@code tmp/} are left alone.
 */
package dev.jbuild.store.admin;

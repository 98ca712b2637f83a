/**
 * Runs a command in a container made from a stored image, as podman and BuildKit do: the image's layer trees
 * ({@link dev.jbuild.store.layers.LayerTrees}) are the lower dirs of an overlay with a fresh upper dir, an OCI
 * runtime bundle ({@link dev.jbuild.runtime.OciBundle}) describes the process, and {@link dev.jbuild.runtime.Runc}
 * runs it. The upper dir, read before unmounting, is the layer a RUN step made.
 *
 * <pre>{@code
 * RunResult r = Containers.run(store, image, "busybox:1", spec, stdin, stdout, stderr, true);
 * }</pre>
 *
 * <p>This slice runs as root only; rootless operation (a user namespace around the JVM) comes later. Nothing from
 * the image is ever executed on the host side: mount, umount and runc are taken from fixed host paths.
 */
package dev.jbuild.runtime;

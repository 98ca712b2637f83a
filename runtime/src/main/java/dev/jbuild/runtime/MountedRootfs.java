package dev.jbuild.runtime;

import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A mounted container root filesystem. {@link #close()} unmounts it and deletes its upper, work and mount dirs;
 * read what you need from {@link #upper()} first.
 */
public final class MountedRootfs implements AutoCloseable {
  private final String id;
  private final Path dir;
  private final Path merged;
  private final Path upper;
  private final Path umount;
  private final boolean keep;
  private boolean closed;
  private boolean mounted = true;

  MountedRootfs(String id, Path dir, Path merged, Path upper, Path umount) {
    this(id, dir, merged, upper, umount, false);
  }

  MountedRootfs(String id, Path dir, Path merged, Path upper, Path umount, boolean keep) {
    this.keep = keep;
    this.id = id;
    this.dir = dir;
    this.merged = merged;
    this.upper = upper;
    this.umount = umount;
  }

  /** A fresh identifier, usable as the container id. */
  public String id() {
    return id;
  }

  /** The directory holding the work dirs ({@code STORE/containers/ID}); also a good place for the bundle. */
  public Path dir() {
    return dir;
  }

  /** The mounted overlay: the container's root. */
  public Path merged() {
    return merged;
  }

  /** The overlay's upper dir: what the container changed, with overlay whiteouts. */
  public Path upper() {
    return upper;
  }

  /**
   * Unmounts the overlay and keeps its dirs until {@link #close()}, e.g. to move the upper dir away first. Does
   * nothing when already unmounted.
   */
  public synchronized void unmount() throws ContainerException {
    if (!mounted) {
      return;
    }
    HostTools.check(List.of(umount.toString(), merged.toString()));
    mounted = false;
  }

  /**
   * Unmounts the overlay (unless {@link #unmount()} did). For a rootfs made by {@link Rootfs#mountKept} the dirs stay; otherwise they are deleted.
   */
  @Override
  public synchronized void close() throws ContainerException {
    if (closed) {
      return;
    }
    unmount();
    closed = true;
    if (keep) {
      return; // a kept container's dirs outlive the mount
    }
    try {
      LayerApplier.deleteTree(dir);
    } catch (IOException e) {
      throw new ContainerException("unmounted " + merged + " but cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}

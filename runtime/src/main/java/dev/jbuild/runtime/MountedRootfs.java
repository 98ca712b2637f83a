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
  private boolean closed;

  MountedRootfs(String id, Path dir, Path merged, Path upper, Path umount) {
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

  @Override
  public synchronized void close() throws ContainerException {
    if (closed) {
      return;
    }
    HostTools.check(List.of(umount.toString(), merged.toString()));
    closed = true;
    try {
      LayerApplier.deleteTree(dir);
    } catch (IOException e) {
      throw new ContainerException("unmounted " + merged + " but cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}

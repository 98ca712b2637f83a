package dev.jbuild.store;

import dev.jbuild.oci.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks of one store root, shared by every {@link Store} of this JVM that opens the same root.
 *
 * <p>Why JVM-wide (the one static registry in this module): POSIX record locks belong to the process, so a
 * second {@code FileChannel.lock} on the same region from this JVM throws {@link OverlappingFileLockException}
 * instead of waiting, and closing <em>any</em> channel of a lock file drops every lock the process holds on it.
 * So each lock file gets exactly one channel per JVM, kept open while a Store uses it, and threads serialise on
 * in-JVM {@link ReentrantLock}s first; only the outermost hold takes the file lock (Jib's LockFile does the same).
 *
 * <p>Blob locks are 1024 byte-range stripes of {@code locks/blobs.lock} (a lock file per blob would grow without
 * bound and cannot be deleted race-free); the ref lock is byte 0 of {@code locks/index.lock}.
 *
 * <p>File locks are taken with {@code tryLock} and a short back-off rather than a blocking {@code lock}: an
 * interrupt during a blocking lock would close the shared channel and silently drop other threads' locks.
 */
final class StoreLocks {
  static final int STRIPES = 1024;

  private static final Map<Path, StoreLocks> OPEN = new HashMap<>(); // guarded by itself

  private final Path root;
  private final Path blobLockFile;
  private final Path indexLockFile;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ReentrantLock indexLock = new ReentrantLock();
  private final Object channelGuard = new Object();
  private FileChannel blobChannel; // guarded by channelGuard
  private FileChannel indexChannel; // guarded by channelGuard
  private final FileLock[] stripeFileLocks = new FileLock[STRIPES]; // each guarded by its stripe
  private FileLock indexFileLock; // guarded by indexLock
  private int refs; // guarded by OPEN

  /** Temp files this JVM is writing; the sweeper must not even open them (see class comment). */
  final Set<Path> activeTemps = ConcurrentHashMap.newKeySet();

  private StoreLocks(Path root) {
    this.root = root;
    this.blobLockFile = root.resolve("locks").resolve("blobs.lock");
    this.indexLockFile = root.resolve("locks").resolve("index.lock");
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Returns the locks of {@code realRoot}, creating them on first use; pair with {@link #release()}. */
  static StoreLocks acquire(Path realRoot) {
    synchronized (OPEN) {
      StoreLocks locks = OPEN.computeIfAbsent(realRoot, StoreLocks::new);
      locks.refs++;
      return locks;
    }
  }

  void release() {
    synchronized (OPEN) {
      if (--refs > 0) {
        return;
      }
      OPEN.remove(root);
    }
    synchronized (channelGuard) {
      closeQuietly(blobChannel);
      closeQuietly(indexChannel);
      blobChannel = null;
      indexChannel = null;
    }
  }

  /** A held lock; closing it releases it. */
  interface Held extends StoreLock {}

  static int stripeOf(Digest digest) {
    return Integer.parseInt(digest.hex().substring(0, 4), 16) % STRIPES;
  }

  Held lockBlob(Digest digest) throws IOException {
    int stripe = stripeOf(digest);
    ReentrantLock lock = stripes[stripe];
    lockInterruptibly(lock);
    if (lock.getHoldCount() > 1) {
      return lock::unlock;
    }
    try {
      stripeFileLocks[stripe] = fileLock(true, stripe);
    } catch (IOException | RuntimeException e) {
      lock.unlock();
      throw e;
    }
    return () -> {
      try {
        releaseQuietly(stripeFileLocks[stripe]);
        stripeFileLocks[stripe] = null;
      } finally {
        lock.unlock();
      }
    };
  }

  Held lockIndex() throws IOException {
    lockInterruptibly(indexLock);
    if (indexLock.getHoldCount() > 1) {
      return indexLock::unlock;
    }
    try {
      indexFileLock = fileLock(false, 0);
    } catch (IOException | RuntimeException e) {
      indexLock.unlock();
      throw e;
    }
    return () -> {
      try {
        releaseQuietly(indexFileLock);
        indexFileLock = null;
      } finally {
        indexLock.unlock();
      }
    };
  }

  private static void lockInterruptibly(ReentrantLock lock) throws InterruptedIOException {
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a store lock");
    }
  }

  private FileLock fileLock(boolean blobs, long position) throws IOException {
    long sleepMillis = 1;
    while (true) {
      // An interrupted thread would close the shared channel on its next operation: refuse before touching it.
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while waiting for a store lock");
      }
      FileLock lock;
      try {
        lock = channel(blobs).tryLock(position, 1, false);
      } catch (ClosedChannelException e) {
        reopen(blobs);
        continue;
      }
      if (lock != null) {
        return lock;
      }
      try {
        Thread.sleep(sleepMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a store lock held by another process");
      }
      sleepMillis = Math.min(50, sleepMillis * 2);
    }
  }

  private FileChannel channel(boolean blobs) throws IOException {
    synchronized (channelGuard) {
      FileChannel c = blobs ? blobChannel : indexChannel;
      if (c == null || !c.isOpen()) {
        c = FileChannel.open(
            blobs ? blobLockFile : indexLockFile,
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (blobs) {
          blobChannel = c;
        } else {
          indexChannel = c;
        }
      }
      return c;
    }
  }

  private void reopen(boolean blobs) {
    synchronized (channelGuard) {
      if (blobs) {
        blobChannel = null;
      } else {
        indexChannel = null;
      }
    }
  }

  private static void releaseQuietly(FileLock lock) {
    if (lock == null) {
      return;
    }
    try {
      lock.release();
    } catch (IOException e) {
      // The channel is gone, and with it the lock.
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // Closing releases the locks; nothing else to do.
    }
  }
}

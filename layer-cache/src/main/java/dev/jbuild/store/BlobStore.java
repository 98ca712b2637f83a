package dev.jbuild.store;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.InvalidDigestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Content-addressed blobs under {@code blobs/<alg>/<hex>}. A blob file only ever appears by rename of a temp file
 * that was fsynced and verified, so nobody reads a half-written blob and a crash leaves either nothing or the right
 * bytes. Paths are built only from parsed {@link Digest}s, never from raw strings (CVE-2024-3727).
 */
public final class BlobStore {
  private final Path blobsDir;
  private final Path tmpDir;
  private final StoreLocks locks;
  private final Fs fs;

  BlobStore(Path root, StoreLocks locks, Fs fs) {
    this.blobsDir = root.resolve("blobs");
    this.tmpDir = root.resolve("tmp");
    this.locks = locks;
    this.fs = fs;
  }

  StoreLocks locks() {
    return locks;
  }

  Fs fs() {
    return fs;
  }

  /** Whether the blob is present (a regular file; a symlink planted in blobs/ does not count, M17). */
  public boolean has(Digest d) {
    return Files.isRegularFile(path(d), LinkOption.NOFOLLOW_LINKS);
  }

  /** The stored size of the blob. */
  public long size(Digest d) throws StoreException {
    try {
      BasicFileAttributes a = Files.readAttributes(path(d), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        throw new CorruptStoreException("blob " + path(d) + " is not a regular file");
      }
      return a.size();
    } catch (NoSuchFileException e) {
      throw new NoSuchBlobException(d);
    } catch (IOException e) {
      throw new StoreException("cannot stat blob " + d + ": " + e.getMessage(), e);
    }
  }

  /**
   * Where the blob lives. Reading this file directly skips verification: only for readers that verify on their
   * own (a layer extractor hashing the stream) or that trust the store.
   */
  public Path path(Digest d) {
    Objects.requireNonNull(d, "digest");
    return blobsDir.resolve(d.algorithm()).resolve(d.hex());
  }

  /**
   * Opens the blob for reading. The stream verifies size and digest at end of stream and then throws an {@link
   * IOException} whose cause is a {@link DigestMismatchException} if the stored bytes were altered (K08). Read it
   * to the end to get that check.
   */
  public InputStream open(Digest d) throws StoreException {
    long size = size(d);
    try {
      // NOFOLLOW_LINKS: a blob swapped for a symlink after the check must not lead anywhere else.
      return new VerifyingInputStream(Files.newInputStream(path(d), LinkOption.NOFOLLOW_LINKS), d, size);
    } catch (NoSuchFileException e) {
      throw new NoSuchBlobException(d);
    } catch (IOException e) {
      throw new StoreException("cannot open blob " + d + ": " + e.getMessage(), e);
    }
  }

  /** Reads a whole blob, verified, refusing blobs larger than {@code maxBytes} (manifests, configs). */
  public byte[] readAll(Digest d, long maxBytes) throws StoreException {
    long size = size(d);
    if (size > maxBytes || size > Integer.MAX_VALUE - 8) {
      throw new StoreException("blob " + d + " has " + size + " bytes, more than the " + maxBytes + " allowed");
    }
    try (InputStream in = open(d)) {
      byte[] bytes = in.readNBytes((int) size);
      if (in.read() != -1) {
        throw new CorruptStoreException("blob " + path(d) + " grew while being read");
      }
      return bytes;
    } catch (IOException e) {
      if (e.getCause() instanceof DigestMismatchException) {
        throw new CorruptStoreException("blob " + path(d) + " is corrupt: " + e.getCause().getMessage(), e.getCause());
      }
      throw new StoreException("cannot read blob " + d + ": " + e.getMessage(), e);
    }
  }

  /** Stores small content (a manifest, a config) and returns its descriptor. */
  public Descriptor put(String mediaType, byte[] content) throws StoreException {
    Objects.requireNonNull(mediaType, "mediaType");
    Digest d = Digest.sha256Of(content);
    if (!refreshIfPresent(d, content.length)) {
      try (BlobWriter w = newWriter()) {
        w.stream().write(content);
        w.commit(d, content.length);
      } catch (IOException e) {
        throw new StoreException("cannot store blob " + d + ": " + e.getMessage(), e);
      } catch (DigestMismatchException e) {
        throw new IllegalStateException("content changed while being stored", e);
      }
    }
    return new Descriptor(mediaType, d, content.length);
  }

  /**
   * Under the blob's lock: when the blob is present with {@code size} bytes, bumps its mtime and returns true.
   * Reusing a blob thus restarts prune's grace period, so a concurrent prune cannot delete a blob a build has just
   * found in place and is about to reference from a new manifest.
   */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  private boolean refreshIfPresent(Digest d, long size) throws StoreException {
    try (StoreLocks.Held held = locks.lockBlob(d)) {
      if (!has(d) || size(d) != size) {
        return false;
      }
      touch(path(d));
      return true;
    } catch (IOException e) {
      throw new StoreException("cannot lock blob " + d + ": " + e.getMessage(), e);
    }
  }

  private static void touch(Path blob) {
    try {
      Files.setLastModifiedTime(blob, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // A read-only store cannot be pruned either; the grace period is then moot.
    }
  }

  /** Starts a streaming sha256 ingest into {@code tmp/}. */
  public BlobWriter newWriter() throws StoreException {
    return newWriter(Digest.SHA256);
  }

  private BlobWriter newWriter(String algorithm) throws StoreException {
    try {
      return FileBlobWriter.create(this, tmpDir, algorithm);
    } catch (IOException e) {
      throw new StoreException("cannot create a temp file in " + tmpDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts or resumes the ingest of blob {@code expected}, {@code size} bytes long (K05, K06). The partial content
   * lives in {@code tmp/resume-<alg>-<hex>} beside a small {@code .ref} sidecar that records the digest and size.
   * When the sidecar matches and the file is not longer than {@code size}, its bytes are re-hashed and the writer
   * continues after them; {@link BlobWriter#written()} says where, so a registry client can ask for {@code Range:
   * bytes=<written>-} (or call {@link BlobWriter#truncate()} when the server sends everything again). Any mismatch
   * starts afresh. Closing without commit keeps the partial file for the next attempt (the sweep of {@code tmp/}
   * removes it once stale); a failed commit deletes it, so bad data from a crash costs one failed attempt at most.
   *
   * <p>When another writer, in this JVM or another process, is on the same blob already, this returns an ordinary
   * one-shot writer: both may commit, and the first blob wins (K04).
   *
   * <pre>{@code
   * try (BlobWriter w = store.blobs().resumableWriter(layer.digest(), layer.size())) {
   *   try (InputStream body = registry.getBlob(layer.digest(), w.written())) { // Range from w.written()
   *     body.transferTo(w.stream());
   *   }
   *   w.commit(layer.digest(), layer.size());
   * }
   * }</pre>
   */
  public BlobWriter resumableWriter(Digest expected, long size) throws StoreException {
    Objects.requireNonNull(expected, "expected");
    if (size < 0) {
      throw new IllegalArgumentException("a resumable ingest needs the blob's size, not " + size);
    }
    try {
      BlobWriter w = FileBlobWriter.resume(this, tmpDir, expected, size);
      return w != null ? w : newWriter(expected.algorithm());
    } catch (IOException e) {
      throw new StoreException("cannot open the resumable ingest of " + expected + " in " + tmpDir + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Copies {@code in} into the store, verifying the digest (when not null) and size (when {@code >= 0}). Reading
   * stops one byte past {@code expectedSize}, so a source that sends more than promised cannot fill the disk.
   * The stream is read but not closed.
   */
  public Digest ingest(InputStream in, Digest expected, long expectedSize)
      throws StoreException, DigestMismatchException {
    try (BlobWriter w = newWriter(expected == null ? Digest.SHA256 : expected.algorithm())) {
      OutputStream out = w.stream();
      byte[] buf = new byte[128 * 1024];
      long limit = expectedSize >= 0 ? expectedSize + 1 : Long.MAX_VALUE;
      long total = 0;
      try {
        while (total < limit) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, limit - total));
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          total += n;
        }
      } catch (IOException e) {
        throw new StoreException("ingest of " + (expected != null ? expected : "a blob") + " failed: " + e.getMessage(), e);
      }
      return w.commit(expected, expectedSize);
    }
  }

  /** All blobs present; stray files whose names are not digests are ignored. */
  public Set<Digest> list() throws StoreException {
    Set<Digest> out = new TreeSet<>();
    for (String alg : new String[] {Digest.SHA256, Digest.SHA512}) {
      Path dir = blobsDir.resolve(alg);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          try {
            Digest d = Digest.parse(alg + ":" + f.getFileName());
            if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
              out.add(d);
            }
          } catch (InvalidDigestException e) {
            // not ours
          }
        }
      } catch (IOException e) {
        throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Deletes a blob (for prune) under its lock; returns whether it existed. */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public boolean delete(Digest d) throws StoreException {
    Path p = path(d);
    try (StoreLocks.Held held = locks.lockBlob(d)) {
      boolean existed = Files.deleteIfExists(p);
      if (existed) {
        Durability.fsyncDirectory(p.getParent());
      }
      return existed;
    } catch (IOException e) {
      throw new StoreException("cannot delete blob " + d + ": " + e.getMessage(), e);
    }
  }

  /**
   * Holds the lock of one blob, across processes, for a caller that wants "one downloads, the others wait" (K02):
   * lock, check {@link #has}, ingest, commit, close. Commit on the thread that holds the lock: the lock is
   * reentrant per thread, and another thread's commit of the same blob would wait for it.
   */
  public StoreLock lock(Digest d) throws StoreException {
    try {
      return locks.lockBlob(d);
    } catch (IOException e) {
      throw new StoreException("cannot lock blob " + d + ": " + e.getMessage(), e);
    }
  }

  /** Moves a verified temp file into place; an existing blob of the right size wins (K04). */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  void install(Path temp, Digest d, long size) throws IOException {
    Path target = path(d);
    if (!Files.isDirectory(target.getParent(), LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(target.getParent());
      fs.syncDirectory(blobsDir); // else a crash could keep the blob but lose the directory entry holding it
    }
    try (StoreLocks.Held held = locks.lockBlob(d)) {
      BasicFileAttributes existing = null;
      try {
        existing = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        // the usual case
      }
      if (existing != null && existing.isRegularFile() && existing.size() == size) {
        Files.delete(temp);
        touch(target); // reused: restart prune's grace period (see refreshIfPresent)
        return;
      }
      // Absent, or visibly damaged (wrong size, not a regular file): the verified temp file replaces it.
      fs.move(temp, target);
      fs.syncDirectory(target.getParent());
    }
  }
}

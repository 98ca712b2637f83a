package dev.jbuild.store;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.InvalidDigestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A {@link BlobWriter} over a temp file in {@code tmp/}. The temp file carries an exclusive file lock for its whole
 * life so that another process's sweep of {@code tmp/} can tell a live ingest from a crashed one.
 *
 * <p>Two kinds: a one-shot ingest ({@code ingest-<random>}, deleted unless committed) and a resumable one ({@code
 * resume-<alg>-<hex>} plus a {@code .ref} sidecar holding the expected digest and size, kept when closed without
 * commit so a later writer can continue after re-hashing it). Every write, fsync and rename goes through the
 * store's {@link Fs}, so tests can inject a full disk or a failing fsync (K07).
 */
final class FileBlobWriter implements BlobWriter {
  static final String REF_SUFFIX = ".ref";
  private static final int BUFFER = 128 * 1024;

  private final BlobStore store;
  private final Fs fs;
  private final Path temp;
  private final Path ref;
  private final FileChannel channel;
  private final FileLock tempLock;
  private final String algorithm;
  private final MessageDigest hasher;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
  private final OutputStream stream = new HashingStream();
  private long written;
  private boolean finished;
  private IOException failure;

  private FileBlobWriter(BlobStore store, Path temp, Path ref, FileChannel channel, FileLock lock, String algorithm,
      MessageDigest hasher, long written) {
    this.store = store;
    this.fs = store.fs();
    this.temp = temp;
    this.ref = ref;
    this.channel = channel;
    this.tempLock = lock;
    this.algorithm = algorithm;
    this.hasher = hasher;
    this.written = written;
  }

  /** A one-shot ingest into a fresh temp file. */
  static FileBlobWriter create(BlobStore store, Path tmpDir, String algorithm) throws IOException {
    MessageDigest hasher = hasherFor(algorithm);
    Path temp = Fs.tempName(tmpDir, "ingest-");
    store.locks().activeTemps.add(temp);
    FileChannel ch = null;
    try {
      ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      // Nobody else knows this name yet, and the sweep leaves files this young alone: the lock is free.
      FileLock lock = ch.lock();
      return new FileBlobWriter(store, temp, null, ch, lock, algorithm, hasher, 0);
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      Files.deleteIfExists(temp);
      store.locks().activeTemps.remove(temp);
      throw e;
    }
  }

  /**
   * Opens the resumable ingest of {@code expected}, continuing after the bytes already there when the sidecar
   * matches (K05) and starting afresh otherwise (K06). Null when another writer holds it.
   */
  static FileBlobWriter resume(BlobStore store, Path tmpDir, Digest expected, long size) throws IOException {
    String base = "resume-" + expected.algorithm() + "-" + expected.hex();
    Path temp = tmpDir.resolve(base);
    Path ref = tmpDir.resolve(base + REF_SUFFIX);
    if (!store.locks().activeTemps.add(temp)) {
      return null; // a writer of this JVM has it
    }
    FileChannel ch = null;
    try {
      ch = openNoFollow(temp);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null || !Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
        // Held by another process, or swept between open and lock (then our channel is on an unlinked file).
        closeQuietly(ch);
        store.locks().activeTemps.remove(temp);
        return null;
      }
      byte[] want = refContent(expected, size);
      MessageDigest hasher = hasherFor(expected.algorithm());
      long have = ch.size();
      if (have <= size && Arrays.equals(readRef(ref), want)) {
        rehash(ch, have, hasher);
        ch.position(have);
      } else {
        // Empty the data before the new sidecar names it: a crash in between leaves an empty file, never old
        // bytes under a sidecar that vouches for them.
        ch.truncate(0);
        store.fs().force(ch);
        Fs.atomicWrite(ref, want, tmpDir);
        have = 0;
      }
      return new FileBlobWriter(store, temp, ref, ch, lock, expected.algorithm(), hasher, have);
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      store.locks().activeTemps.remove(temp);
      throw e;
    }
  }

  private static FileChannel openNoFollow(Path temp) throws IOException {
    try {
      return FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) { // ELOOP arrives as a plain IOException
      if (!Files.isSymbolicLink(temp)) {
        throw e;
      }
      Files.delete(temp); // a symlink planted in tmp/ is never written through
      return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
  }

  private static byte[] refContent(Digest expected, long size) {
    return ("jbuild-resume 1\n" + expected + "\n" + size + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] readRef(Path ref) {
    try {
      return Fs.readCapped(ref, 4096, "resume sidecar");
    } catch (IOException e) {
      return new byte[0]; // missing or unreadable: start afresh
    }
  }

  private static void rehash(FileChannel ch, long length, MessageDigest hasher) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    long pos = 0;
    while (pos < length) {
      buf.clear().limit((int) Math.min(BUFFER, length - pos));
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("resumable temp file shrank while being re-hashed");
      }
      hasher.update(buf.array(), 0, n);
      pos += n;
    }
  }

  static MessageDigest hasherFor(String algorithm) {
    if (Digest.SHA256.equals(algorithm)) {
      return Digest.newSha256();
    }
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-512", e);
    }
  }

  static Digest digestOf(String algorithm, MessageDigest hasher) {
    try {
      return Digest.parse(algorithm + ":" + HexFormat.of().formatHex(hasher.digest()));
    } catch (InvalidDigestException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  @Override
  public long written() {
    return written;
  }

  @Override
  public String algorithm() {
    return algorithm;
  }

  @Override
  public Digest digestSoFar() {
    try {
      return digestOf(algorithm, (MessageDigest) hasher.clone());
    } catch (CloneNotSupportedException e) {
      // The JDK's SHA-2 digests all clone; a provider whose do not would be a broken JVM.
      throw new IllegalStateException("cannot clone a " + algorithm + " digest", e);
    }
  }

  Path tempPath() {
    return temp;
  }

  @Override
  public void truncate() throws StoreException {
    if (finished) {
      throw new IllegalStateException("blob writer already committed or closed");
    }
    buffer.clear();
    try {
      channel.truncate(0);
      channel.position(0);
    } catch (IOException e) {
      throw new StoreException("cannot truncate " + temp + ": " + e.getMessage(), e);
    }
    hasher.reset();
    written = 0;
    failure = null;
  }

  @Override
  public Digest commit(Digest expected, long expectedSize) throws StoreException, DigestMismatchException {
    if (finished) {
      throw new IllegalStateException("blob writer already committed or closed");
    }
    String what = expected != null ? "blob " + expected : "blob";
    boolean installed = false;
    try {
      if (failure != null) {
        throw new IOException("an earlier write failed: " + failure.getMessage(), failure);
      }
      flushBuffer();
      fs.force(channel);
      Digest actual = digestOf(algorithm, hasher);
      if (expected != null && !expected.algorithm().equals(algorithm)) {
        actual = rehashAs(expected.algorithm());
      }
      if (expectedSize >= 0 && expectedSize != written) {
        throw new DigestMismatchException("blob", expectedSize, written, expected != null ? expected : actual);
      }
      if (expected != null && !expected.equals(actual)) {
        throw new DigestMismatchException("blob", expected, actual);
      }
      store.install(temp, actual, written);
      installed = true;
      return actual;
    } catch (IOException e) {
      throw new StoreException("cannot store " + what + " (nothing was stored): " + e.getMessage(), e);
    } finally {
      end(!installed);
    }
  }

  private Digest rehashAs(String otherAlgorithm) throws IOException {
    MessageDigest h = hasherFor(otherAlgorithm);
    byte[] buf = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(temp)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        h.update(buf, 0, n);
      }
    }
    return digestOf(otherAlgorithm, h);
  }

  /** Aborts. A resumable ingest keeps what it wrote for the next attempt; a one-shot ingest deletes it. */
  @Override
  public void close() {
    if (finished) {
      return;
    }
    if (ref != null && failure == null) {
      try {
        flushBuffer(); // not fsynced: a resume re-hashes, and the commit verifies, whatever survives
      } catch (IOException e) {
        // a shorter prefix to resume from
      }
      end(false);
    } else {
      end(true);
    }
  }

  /**
   * Finishes the writer. The temp file is deleted while its lock is still held, so another process can never lock
   * a name that this writer then unlinks under it.
   */
  private void end(boolean delete) {
    finished = true;
    if (delete) {
      deleteQuietly(temp);
      if (ref != null) {
        deleteQuietly(ref);
      }
    } else if (ref != null && !Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
      deleteQuietly(ref); // committed: the sidecar has nothing left to describe
    }
    try {
      tempLock.release();
    } catch (IOException e) {
      // closing the channel releases it anyway
    }
    closeQuietly(channel);
    store.locks().activeTemps.remove(temp);
  }

  private void flushBuffer() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    buffer.flip();
    try {
      fs.write(channel, buffer);
    } finally {
      buffer.clear();
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      // left for the sweep of tmp/
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) {
      return;
    }
    try {
      ch.close();
    } catch (IOException e) {
      // nothing more to flush that we still want
    }
  }

  /** Hashes and counts on the way to the temp file; after a failed write the writer only accepts close. */
  private final class HashingStream extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      if (!buffer.hasRemaining()) {
        flush();
      }
      buffer.put((byte) b);
      hasher.update((byte) b);
      written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      try {
        if (len >= BUFFER) {
          flushBuffer();
          fs.write(channel, ByteBuffer.wrap(b, off, len));
        } else {
          if (len > buffer.remaining()) {
            flushBuffer();
          }
          buffer.put(b, off, len);
        }
      } catch (IOException e) {
        failure = e;
        throw new IOException("cannot write " + temp + ": " + e.getMessage(), e);
      }
      hasher.update(b, off, len);
      written += len;
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      try {
        flushBuffer();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      if (!finished && failure == null) {
        flush();
      }
    }

    private void ensureOpen() throws IOException {
      if (finished) {
        throw new IOException("blob writer already committed or closed");
      }
      if (failure != null) {
        throw new IOException("an earlier write to " + temp + " failed: " + failure.getMessage(), failure);
      }
    }
  }
}

package dev.jbuild.store;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.InvalidDigestException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A {@link BlobWriter} over a temp file in {@code tmp/}. The temp file carries an exclusive file lock for its whole
 * life so that another process's sweep of {@code tmp/} can tell a live ingest from a crashed one.
 */
final class FileBlobWriter implements BlobWriter {
  private final BlobStore store;
  private final Path temp;
  private final FileChannel channel;
  private final FileLock tempLock;
  private final String algorithm;
  private final MessageDigest hasher;
  private final OutputStream sink;
  private final OutputStream stream;
  private long written;
  private boolean finished;

  FileBlobWriter(BlobStore store, Path tmpDir, String algorithm) throws IOException {
    this.store = store;
    this.algorithm = algorithm;
    this.hasher = hasherFor(algorithm);
    this.temp = Fs.tempName(tmpDir, "ingest-");
    store.locks().activeTemps.add(temp);
    FileChannel ch = null;
    try {
      ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.tempLock = ch.lock();
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      Files.deleteIfExists(temp);
      store.locks().activeTemps.remove(temp);
      throw e;
    }
    this.channel = ch;
    this.sink = new BufferedOutputStream(Channels.newOutputStream(channel), 128 * 1024);
    this.stream = new HashingStream();
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

  Path tempPath() {
    return temp;
  }

  @Override
  public Digest commit(Digest expected, long expectedSize) throws StoreException, DigestMismatchException {
    if (finished) {
      throw new IllegalStateException("blob writer already committed or closed");
    }
    try {
      sink.flush();
      channel.force(true);
      Digest actual = digestOf(algorithm, hasher);
      if (expected != null && !expected.algorithm().equals(algorithm)) {
        actual = rehash(expected.algorithm());
      }
      if (expectedSize >= 0 && expectedSize != written) {
        throw new DigestMismatchException("blob", expectedSize, written, expected != null ? expected : actual);
      }
      if (expected != null && !expected.equals(actual)) {
        throw new DigestMismatchException("blob", expected, actual);
      }
      store.install(temp, actual, written);
      return actual;
    } catch (IOException e) {
      throw new StoreException("cannot store blob: " + e.getMessage(), e);
    } finally {
      close();
    }
  }

  private Digest rehash(String otherAlgorithm) throws IOException {
    MessageDigest h = hasherFor(otherAlgorithm);
    byte[] buf = new byte[128 * 1024];
    try (InputStream in = Files.newInputStream(temp)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        h.update(buf, 0, n);
      }
    }
    return digestOf(otherAlgorithm, h);
  }

  @Override
  public void close() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      tempLock.release();
    } catch (IOException e) {
      // closing the channel releases it anyway
    }
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to flush that we still want
    }
    try {
      Files.deleteIfExists(temp); // already gone after a successful install
    } catch (IOException e) {
      // left for the sweep of tmp/
    }
    store.locks().activeTemps.remove(temp);
  }

  /** Hashes and counts on the way to the temp file. */
  private final class HashingStream extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      sink.write(b);
      hasher.update((byte) b);
      written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      sink.write(b, off, len);
      hasher.update(b, off, len);
      written += len;
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      sink.flush();
    }

    @Override
    public void close() throws IOException {
      if (!finished) {
        sink.flush();
      }
    }

    private void ensureOpen() throws IOException {
      if (finished) {
        throw new IOException("blob writer already committed or closed");
      }
    }
  }
}

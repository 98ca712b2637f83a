package dev.jbuild.store;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes everything read and, at end of stream, fails with an {@link IOException} whose cause is a {@link
 * DigestMismatchException} when the bytes are not the ones the digest names (a bit flip on disk, K08). Skips are
 * read through so they are hashed too; mark/reset is not supported because it would hash bytes twice.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final MessageDigest hasher;
  private long count;
  private boolean verified;

  VerifyingInputStream(InputStream in, Digest expected, long expectedSize) {
    super(in);
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.hasher = expected.newHasher();
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      verify();
    } else {
      hasher.update((byte) b);
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n < 0) {
      verify();
    } else {
      hasher.update(buf, off, n);
      count += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported on a verifying blob stream");
  }

  private void verify() throws IOException {
    if (verified) {
      return;
    }
    verified = true;
    if (expectedSize >= 0 && count != expectedSize) {
      throw corrupt(new DigestMismatchException("stored blob", expectedSize, count, expected));
    }
    Digest actual = expected.finish(hasher);
    if (!actual.equals(expected)) {
      throw corrupt(new DigestMismatchException("stored blob", expected, actual));
    }
  }

  private static IOException corrupt(DigestMismatchException mismatch) {
    return new IOException(mismatch.getMessage() + "; " + CorruptStoreException.REMEDY, mismatch);
  }
}

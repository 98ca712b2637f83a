package dev.jbuild.store.archive;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Questions asked of a stored layer blob: how it is compressed, and the digest of its uncompressed tar. */
final class LayerDigests {
  private LayerDigests() {}

  static Decompression.Kind compression(BlobStore blobs, Digest blob) throws StoreException {
    try (InputStream in = new BufferedInputStream(blobs.open(blob), 64)) {
      return Decompression.sniff(in);
    } catch (IOException e) {
      throw new StoreException("cannot read blob " + blob + ": " + e.getMessage(), e);
    }
  }

  /** The sha256 of the decompressed blob, which is also read whole so the store verifies it on the way. */
  static Digest diffId(BlobStore blobs, Digest blob) throws StoreException {
    MessageDigest h = Digest.newSha256();
    try (InputStream in = Decompression.open(blobs.open(blob))) {
      byte[] buf = new byte[256 * 1024];
      for (int n; (n = in.read(buf)) >= 0; ) {
        h.update(buf, 0, n);
      }
    } catch (IOException e) {
      if (e.getCause() instanceof DigestMismatchException) {
        throw new StoreException("blob " + blob + " is corrupt in the store: " + e.getCause().getMessage(), e);
      }
      throw new ArchiveException("layer " + blob + " does not decompress: " + e.getMessage(), e);
    }
    return Digest.sha256(h.digest());
  }
}

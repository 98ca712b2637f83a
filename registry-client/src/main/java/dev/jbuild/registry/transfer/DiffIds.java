package dev.jbuild.registry.transfer;

import com.github.luben.zstd.ZstdInputStream;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Checks a stored layer blob against the diffID its image config promises (case M10), and remembers a layer
 * that passed in the store's compression index so a second pull of the same image does not decompress again.
 */
final class DiffIds {
  private DiffIds() {}

  /** The sha256 of the stored layer's uncompressed tar (gzip, zstd or plain), read and verified from the store. */
  static Digest uncompressed(Store store, Descriptor layer) throws IOException, StoreException {
    MessageDigest hasher = Digest.newSha256();
    try (InputStream raw = new BufferedInputStream(store.blobs().open(layer.digest()), 1 << 16);
        InputStream plain = decompressing(raw, MediaType.layerCompression(layer.mediaType()));
        DigestInputStream in = new DigestInputStream(plain, hasher)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Digest.sha256(hasher.digest());
  }

  static InputStream decompressing(InputStream raw, MediaType.Compression c) throws IOException {
    switch (c) {
      case GZIP:
        return new GZIPInputStream(raw, 1 << 16);
      case ZSTD:
        return new BufferedInputStream(new ZstdInputStream(raw), 1 << 16);
      default:
        return raw;
    }
  }

  /** Whether an earlier pull (or push) already proved that {@code layer} decompresses to {@code diffId}. */
  static boolean known(Store store, Descriptor layer, Digest diffId) throws StoreException {
    MediaType.Compression c = MediaType.layerCompression(layer.mediaType());
    if (c == MediaType.Compression.NONE) {
      return layer.digest().equals(diffId);
    }
    Optional<Descriptor> recorded = store.compression().lookup(diffId, c);
    return recorded.isPresent() && recorded.get().digest().equals(layer.digest());
  }

  static void remember(Store store, Descriptor layer, Digest diffId) throws StoreException {
    MediaType.Compression c = MediaType.layerCompression(layer.mediaType());
    if (c != MediaType.Compression.NONE) {
      store.compression().record(diffId, c, new Descriptor(layer.mediaType(), layer.digest(), layer.size()));
    }
  }
}

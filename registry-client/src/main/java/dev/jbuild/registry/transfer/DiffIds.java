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
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

  /**
   * The sha256 of the layer's uncompressed tar (gzip, zstd or plain), read from the store. {@code justVerified}:
   * the blob was committed (digest-checked) a moment ago, so reading it raw skips hashing it a second time.
   */
  static Digest uncompressed(Store store, Descriptor layer, boolean justVerified) throws IOException, StoreException {
    MessageDigest hasher = Digest.newSha256();
    InputStream source = justVerified ? Files.newInputStream(store.blobs().path(layer.digest()),
        LinkOption.NOFOLLOW_LINKS) : store.blobs().open(layer.digest());
    try (InputStream raw = new BufferedInputStream(source, 1 << 16);
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

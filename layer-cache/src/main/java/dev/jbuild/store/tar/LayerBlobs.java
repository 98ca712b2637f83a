package dev.jbuild.store.tar;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Layers in the blob store: written once uncompressed (the diffID is the blob's own digest), compressed only when a
 * blob must leave the machine, and never compressed twice (DESIGN 2).
 */
public final class LayerBlobs {
  private LayerBlobs() {}

  /**
   * Writes the entries as a tar straight into the blob store, hashing while writing (no copy in memory). The same
   * entries and epoch always give the same digest.
   */
  public static Layer writeLayer(BlobStore blobs, List<LayerEntry> entries, Instant sourceDateEpoch)
      throws IOException, StoreException {
    try (BlobWriter w = blobs.newWriter()) {
      LayerTarWriter.write(entries, w.stream(), sourceDateEpoch);
      Digest diffId = w.commit(null, -1);
      return new Layer(new Descriptor(MediaType.OCI_LAYER, diffId, w.written()), diffId);
    } catch (DigestMismatchException e) {
      throw new IllegalStateException("nothing was expected, so nothing can mismatch", e);
    }
  }

  /**
   * The stored uncompressed layer {@code diffId} compressed with {@code c}: looked up in the store's {@link
   * dev.jbuild.store.LayerCompressionIndex} first, otherwise compressed once, stored and recorded. gzip output is
   * deterministic (header mtime 0, no file name); zstd runs the host's {@code zstd -3}. {@code NONE} returns the
   * uncompressed blob's descriptor.
   *
   * @throws dev.jbuild.store.NoSuchBlobException when the uncompressed layer is not in the store
   */
  public static Descriptor compressed(Store store, Digest diffId, MediaType.Compression c)
      throws IOException, StoreException {
    BlobStore blobs = store.blobs();
    if (c == MediaType.Compression.NONE) {
      return new Descriptor(MediaType.OCI_LAYER, diffId, blobs.size(diffId));
    }
    Optional<Descriptor> known = store.compression().lookup(diffId, c);
    if (known.isPresent()) {
      return known.get();
    }
    Descriptor result;
    try (InputStream in = blobs.open(diffId); BlobWriter w = blobs.newWriter()) {
      if (c == MediaType.Compression.GZIP) {
        gzip(in, w.stream());
      } else {
        ZstdTool.compress(in, w.stream());
      }
      Digest d = w.commit(null, -1);
      result = new Descriptor(c == MediaType.Compression.GZIP ? MediaType.OCI_LAYER_GZIP : MediaType.OCI_LAYER_ZSTD, d,
          w.written());
    } catch (DigestMismatchException e) {
      throw new IllegalStateException("nothing was expected, so nothing can mismatch", e);
    }
    store.compression().record(diffId, c, result);
    return result;
  }

  /** gzip at level 6; Java's header has mtime 0, no name and OS 0, so equal input gives equal output. */
  static void gzip(InputStream in, OutputStream out) throws IOException {
    GZIPOutputStream gz = new GZIPOutputStream(new NonClosing(out), 128 * 1024) {
      {
        def.setLevel(Deflater.DEFAULT_COMPRESSION);
      }
    };
    in.transferTo(gz);
    gz.finish();
    gz.flush();
  }

  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}

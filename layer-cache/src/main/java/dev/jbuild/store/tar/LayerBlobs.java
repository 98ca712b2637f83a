package dev.jbuild.store.tar;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.BlobStore;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.compress.ParallelGzipOutputStream;
import dev.jbuild.store.compress.Zstd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
    return writeLayer(blobs, entries, sourceDateEpoch, OutputStream.nullOutputStream());
  }

  /**
   * As {@link #writeLayer(BlobStore, List, Instant)}, passing the tar's bytes to {@code copy} as well, e.g. to
   * extract the layer while it is written. The copy never fails the layer: once {@code copy} throws, it gets no more
   * bytes, and the layer is written all the same. It is not closed.
   */
  public static Layer writeLayer(BlobStore blobs, List<LayerEntry> entries, Instant sourceDateEpoch,
      OutputStream copy) throws IOException, StoreException {
    try (BlobWriter w = blobs.newWriter()) {
      LayerTarWriter.write(entries, new CopyingStream(w.stream(), copy), sourceDateEpoch);
      Digest diffId = w.commit(null, -1);
      return new Layer(new Descriptor(MediaType.OCI_LAYER, diffId, w.written()), diffId);
    } catch (DigestMismatchException e) {
      throw new IllegalStateException("nothing was expected, so nothing can mismatch", e);
    }
  }

  /**
   * The stored uncompressed layer {@code diffId} compressed with {@code c}: looked up in the store's {@link
   * dev.jbuild.store.LayerCompressionIndex} first, otherwise compressed once, stored and recorded. Both formats are
   * deterministic, independent of the number of cores: gzip is {@link ParallelGzipOutputStream} (level 6, header
   * mtime 0, no name), zstd is {@link Zstd} (level 3 through zstd-jni). {@code NONE} returns the uncompressed
   * blob's descriptor.
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
      // Closing the compressor ends the gzip member or zstd frame; closing the writer's stream only flushes it.
      try (OutputStream z = c == MediaType.Compression.GZIP
          ? new ParallelGzipOutputStream(w.stream())
          : Zstd.compressing(w.stream())) {
        copy(in, z);
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

  /** Like transferTo, with blocks as large as the compressors' (transferTo's 8 KiB reads cost a lot at GB sizes). */
  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
    }
  }

  /** Writes to the blob first; the copy's failure only stops the copy. Closing closes the blob stream only. */
  private static final class CopyingStream extends OutputStream {
    private final OutputStream blob;
    private OutputStream copy;

    CopyingStream(OutputStream blob, OutputStream copy) {
      this.blob = blob;
      this.copy = copy;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      blob.write(b, off, len);
      if (copy != null) {
        try {
          copy.write(b, off, len);
        } catch (IOException e) {
          copy = null;
        }
      }
    }

    @Override
    public void flush() throws IOException {
      blob.flush();
    }

    @Override
    public void close() throws IOException {
      blob.close();
    }
  }
}

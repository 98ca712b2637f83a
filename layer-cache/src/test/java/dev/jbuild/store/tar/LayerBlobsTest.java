package dev.jbuild.store.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.NoSuchBlobException;
import dev.jbuild.store.Store;
import dev.jbuild.store.compress.Decompress;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBlobsTest {
  static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");

  @TempDir Path dir;
  Store store;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir.resolve("store"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private List<LayerEntry> entries() throws Exception {
    Path f = dir.resolve("content.txt");
    Files.writeString(f, "hello layer\n".repeat(1000));
    return List.of(
        LayerEntry.directory("app", 0755, 0, 0, T0),
        LayerEntry.file("app/content.txt", f, Files.size(f), 0644, 0, 0, T0));
  }

  @Test
  void writeLayer_entries_storesUncompressedTarWhoseDigestIsTheDiffId() throws Exception {
    Layer layer = LayerBlobs.writeLayer(store.blobs(), entries(), null);

    assertThat(layer.blob().mediaType()).isEqualTo(MediaType.OCI_LAYER);
    assertThat(layer.blob().digest()).isEqualTo(layer.diffId());
    byte[] stored = store.blobs().readAll(layer.diffId(), 1 << 20);
    assertThat(stored).hasSize((int) layer.blob().size());
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    LayerTarWriter.write(entries(), expected, null);
    assertThat(stored).isEqualTo(expected.toByteArray());
  }

  @Test
  void writeLayer_sameEntriesTwice_sameDigestOneBlob() throws Exception {
    Layer a = LayerBlobs.writeLayer(store.blobs(), entries(), T0);
    Layer b = LayerBlobs.writeLayer(store.blobs(), entries(), T0);

    assertThat(a).isEqualTo(b);
    assertThat(store.blobs().list()).containsExactly(a.diffId());
  }

  @Test
  void compressed_gzip_deterministicRecordedAndDecompressesToTheTar() throws Exception {
    Layer layer = LayerBlobs.writeLayer(store.blobs(), entries(), null);

    Descriptor gz = LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.GZIP);

    assertThat(gz.mediaType()).isEqualTo(MediaType.OCI_LAYER_GZIP);
    assertThat(store.compression().lookup(layer.diffId(), MediaType.Compression.GZIP)).contains(gz);
    byte[] compressed = store.blobs().readAll(gz.digest(), 1 << 20);
    assertThat(compressed).startsWith(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff); // no name, mtime 0, OS unknown
    try (InputStream in = new GZIPInputStream(store.blobs().open(gz.digest()))) {
      assertThat(Digest.sha256Of(in.readAllBytes())).isEqualTo(layer.diffId());
    }
    // A fresh store compresses the same tar to the same bytes.
    try (Store other = Store.open(dir.resolve("other"))) {
      Layer again = LayerBlobs.writeLayer(other.blobs(), entries(), null);
      assertThat(LayerBlobs.compressed(other, again.diffId(), MediaType.Compression.GZIP)).isEqualTo(gz);
    }
  }

  @Test
  void compressed_secondCall_usesRecordedBlobWithoutRecompressing() throws Exception {
    Layer layer = LayerBlobs.writeLayer(store.blobs(), entries(), null);
    Descriptor first = LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.GZIP);
    // Corrupting the uncompressed source would make any re-compression fail verification.
    Files.write(store.blobs().path(layer.diffId()), new byte[(int) layer.blob().size()]);

    assertThat(LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.GZIP)).isEqualTo(first);
  }

  @Test
  void compressed_corruptSource_failsAndStoresNothing() throws Exception {
    Layer layer = LayerBlobs.writeLayer(store.blobs(), entries(), null);
    Files.write(store.blobs().path(layer.diffId()), new byte[(int) layer.blob().size()]);

    assertThatThrownBy(() -> LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.GZIP))
        .hasMessageContaining("digest mismatch");
    assertThat(store.blobs().list()).containsExactly(layer.diffId());
    assertThat(store.compression().lookup(layer.diffId(), MediaType.Compression.GZIP)).isEmpty();
  }

  @Test
  void compressed_none_returnsUncompressedDescriptor() throws Exception {
    Layer layer = LayerBlobs.writeLayer(store.blobs(), entries(), null);

    assertThat(LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.NONE)).isEqualTo(layer.blob());
  }

  @Test
  void compressed_missingLayer_throwsNoSuchBlob() {
    assertThatThrownBy(
        () -> LayerBlobs.compressed(store, Digest.sha256Of(new byte[] {1}), MediaType.Compression.GZIP))
        .isInstanceOf(NoSuchBlobException.class);
  }

  @Test
  void compressed_zstd_recordedAndDecompressesToTheTar() throws Exception {
    Layer layer = LayerBlobs.writeLayer(store.blobs(), entries(), null);

    Descriptor zst = LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.ZSTD);

    assertThat(zst.mediaType()).isEqualTo(MediaType.OCI_LAYER_ZSTD);
    byte[] blob = store.blobs().readAll(zst.digest(), 1 << 20);
    assertThat(blob).startsWith(0x28, 0xb5, 0x2f, 0xfd);
    try (InputStream in = Decompress.open(store.blobs().open(zst.digest()), 1 << 20)) {
      assertThat(Digest.sha256Of(in.readAllBytes())).isEqualTo(layer.diffId());
    }
    assertThat(LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.ZSTD)).isEqualTo(zst);
  }
}

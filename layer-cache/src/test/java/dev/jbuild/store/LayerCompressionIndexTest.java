package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerCompressionIndexTest {
  @TempDir Path dir;
  Store store;
  LayerCompressionIndex index;
  Digest diffId = Digest.sha256Of(new byte[] {1, 2, 3});

  @BeforeEach
  void open() throws StoreException {
    store = Store.open(dir);
    index = store.compression();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void record_thenLookup_returnsDescriptor() throws Exception {
    Descriptor gz = store.blobs().put(MediaType.OCI_LAYER_GZIP, new byte[] {9, 9});

    index.record(diffId, MediaType.Compression.GZIP, gz);

    assertThat(index.lookup(diffId, MediaType.Compression.GZIP)).contains(gz);
    assertThat(index.lookup(diffId, MediaType.Compression.ZSTD)).isEmpty();
    assertThat(dir.resolve("compression/sha256/" + diffId.hex() + "/gzip")).isRegularFile();
  }

  @Test
  void lookup_compressedBlobDeleted_returnsEmpty() throws Exception {
    Descriptor gz = store.blobs().put(MediaType.OCI_LAYER_GZIP, new byte[] {9, 9});
    index.record(diffId, MediaType.Compression.GZIP, gz);

    store.blobs().delete(gz.digest());

    assertThat(index.lookup(diffId, MediaType.Compression.GZIP)).isEmpty();
  }

  @Test
  void lookup_damagedEntry_returnsEmpty() throws Exception {
    Descriptor gz = store.blobs().put(MediaType.OCI_LAYER_GZIP, new byte[] {9, 9});
    index.record(diffId, MediaType.Compression.GZIP, gz);
    Files.writeString(dir.resolve("compression/sha256/" + diffId.hex() + "/gzip"), "{not json");

    assertThat(index.lookup(diffId, MediaType.Compression.GZIP)).isEmpty();
  }

  @Test
  void record_none_isRejected() {
    Descriptor d = new Descriptor(MediaType.OCI_LAYER, diffId, 3);

    assertThatThrownBy(() -> index.record(diffId, MediaType.Compression.NONE, d))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

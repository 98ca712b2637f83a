package dev.jbuild.store.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig.HistoryEntry;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageHistoryTest {
  @TempDir Path dir;
  Store store;
  TestImages t;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir);
    t = new TestImages(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void of_layersAndEmptyLayers_newestFirstWithLayerSizes() throws Exception {
    TestImages.Layer base = t.gzip("base layer content");
    TestImages.Layer app = t.plain("application");
    Instant t1 = Instant.parse("2024-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2024-02-01T00:00:00Z");
    List<HistoryEntry> history = List.of(
        new HistoryEntry(t1, "ADD rootfs.tar /", null, "imported", false),
        new HistoryEntry(t1, "ENV A=1", null, null, true),
        new HistoryEntry(t2, "COPY app /app", null, null, false),
        new HistoryEntry(t2, "CMD [\"/app\"]", null, null, true));
    Descriptor m = t.image("app:1", List.of(base.diffId(), app.diffId()), List.of(base.blob(), app.blob()), history);
    Descriptor index = t.index("multi:1", m);

    List<ImageHistory.Row> rows = ImageHistory.of(store, index, Platform.host(), "multi:1");

    assertThat(rows).containsExactly(
        new ImageHistory.Row(index.digest(), t2, "CMD [\"/app\"]", 0, "", null),
        new ImageHistory.Row(null, t2, "COPY app /app", app.blob().size(), "", app.blob().digest()),
        new ImageHistory.Row(null, t1, "ENV A=1", 0, "", null),
        new ImageHistory.Row(null, t1, "ADD rootfs.tar /", base.blob().size(), "imported", base.blob().digest()));
  }

  @Test
  void of_noHistory_oneRowPerLayer() throws Exception {
    TestImages.Layer a = t.plain("a");
    TestImages.Layer b = t.plain("bb");
    Descriptor m = t.image("x:1", List.of(a.diffId(), b.diffId()), List.of(a.blob(), b.blob()), List.of());

    List<ImageHistory.Row> rows = ImageHistory.of(store, m, Platform.host(), "x:1");

    assertThat(rows).extracting(ImageHistory.Row::layer).containsExactly(b.blob().digest(), a.blob().digest());
    assertThat(rows).extracting(ImageHistory.Row::size).containsExactly(2L, 1L);
    assertThat(rows).extracting(ImageHistory.Row::image).containsExactly(m.digest(), (Digest) null);
  }
}

package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.store.tar.LayerTarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The round-trip oracle: directory -> our tar writer -> our applier -> the same directory. */
class LayerApplierRoundTripTest {
  @TempDir Path tmp;

  @Test
  void apply_treeWrittenByLayerTarWriter_reproducesTheTree() throws Exception {
    Path src = TreeSnapshot.sampleTree(tmp.resolve("src"));
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    LayerTarWriter.write(LayerTarWriter.fromDirectory(src), tar, null);
    Path out = Files.createDirectory(tmp.resolve("out"));
    ApplyResult r = LayerApplier.apply(new ByteArrayInputStream(tar.toByteArray()), out,
        ApplyOptions.defaults().withSameOwner(true).withRootless(false));

    Map<String, String> expected = TreeSnapshot.of(src);
    assertThat(TreeSnapshot.of(out)).isEqualTo(expected);
    assertThat(expected).containsKeys("a/hard", "empty", "pipe", "ünïcødé-日本.txt", "d".repeat(120) + "/" + "f".repeat(150));
    assertThat(expected.get("a/hard")).contains("links=[a/file.txt, a/hard]");
    assertThat(r.entries()).isEqualTo(expected.size());
    assertThat(r.bytes()).isEqualTo(tar.size());
  }
}

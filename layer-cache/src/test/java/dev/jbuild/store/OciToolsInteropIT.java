package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo and umoci read the store as the OCI image layout it claims to be, and we read what skopeo writes. */
class OciToolsInteropIT {
  static final Path SKOPEO = Path.of("/usr/bin/skopeo");
  static final Path UMOCI = Path.of("/usr/bin/umoci");
  static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");

  @TempDir Path dir;
  Path root;
  Descriptor manifest;
  Layer layer;

  @BeforeEach
  void makeImage() throws Exception {
    root = dir.resolve("store");
    Path hello = dir.resolve("hello.txt");
    Files.writeString(hello, "hello from jbuild\n");
    try (Store store = Store.open(root)) {
      layer = LayerBlobs.writeLayer(store.blobs(), List.of(
          LayerEntry.directory("app", 0755, 0, 0, T0),
          LayerEntry.file("app/hello.txt", hello, Files.size(hello), 0644, 0, 0, T0)), T0);
      Descriptor gz = LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.GZIP);
      ImageConfig config = ImageConfig.scratch(Platform.of("linux", "amd64"))
          .withLayer(layer.diffId(), new ImageConfig.HistoryEntry(T0, "COPY hello.txt /app/", null, null, false));
      Descriptor configDesc = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
      manifest = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(Manifest.oci(configDesc, List.of(gz))));
      store.images().tag("demo:1", manifest);
      store.images().tag("localhost:5000/team/demo:latest", manifest);
    }
  }

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
    return out;
  }

  @Test
  void skopeoInspect_taggedImage_seesDigestLayersAndConfig() throws Exception {
    assumeThat(Files.isExecutable(SKOPEO)).as("skopeo installed").isTrue();

    JsonNode info = OciJson.mapper().readTree(run(SKOPEO.toString(), "inspect", "oci:" + root + ":demo:1"));
    JsonNode config = OciJson.mapper().readTree(run(SKOPEO.toString(), "inspect", "--config", "oci:" + root + ":demo:1"));
    JsonNode other = OciJson.mapper().readTree(
        run(SKOPEO.toString(), "inspect", "oci:" + root + ":localhost:5000/team/demo:latest"));

    assertThat(info.get("Digest").asText()).isEqualTo(manifest.digest().toString());
    assertThat(info.get("Architecture").asText()).isEqualTo("amd64");
    assertThat(info.get("Layers")).hasSize(1);
    assertThat(config.at("/rootfs/diff_ids/0").asText()).isEqualTo(layer.diffId().toString());
    assertThat(other.get("Digest").asText()).isEqualTo(manifest.digest().toString());
  }

  @Test
  void skopeoCopy_intoOurStore_weReadItsIndexAndBlobs() throws Exception {
    assumeThat(Files.isExecutable(SKOPEO)).as("skopeo installed").isTrue();

    run(SKOPEO.toString(), "copy", "--quiet", "oci:" + root + ":demo:1", "oci:" + root + ":copied:2");

    try (Store store = Store.open(root)) {
      assertThat(store.images().list()).extracting(TaggedImage::name)
          .containsExactly("copied:2", "demo:1", "localhost:5000/team/demo:latest");
      Descriptor copied = store.images().resolve("copied:2").orElseThrow();
      Manifest m = OciJson.readManifest(store.blobs().readAll(copied.digest(), 1 << 20));
      assertThat(store.blobs().has(m.config().digest())).isTrue();
      // Our next write keeps skopeo's entry and stays sorted.
      store.images().tag("a:0", manifest);
      assertThat(store.images().list()).extracting(TaggedImage::name).first().isEqualTo("a:0");
    }
  }

  @Test
  void umoci_listAndStat_readTheStore() throws Exception {
    assumeThat(Files.isExecutable(UMOCI)).as("umoci installed").isTrue();

    String tags = run(UMOCI.toString(), "ls", "--layout", root.toString());
    String stat = run(UMOCI.toString(), "stat", "--json", "--image", root + ":demo:1");

    assertThat(tags.lines().toList()).contains("demo:1", "localhost:5000/team/demo:latest");
    assertThat(stat).contains("COPY hello.txt /app/");
  }

  @Test
  void umociUnpack_taggedImage_extractsOurLayer() throws Exception {
    assumeThat(Files.isExecutable(UMOCI)).as("umoci installed").isTrue();
    Path bundle = dir.resolve("bundle");

    run(UMOCI.toString(), "unpack", "--rootless", "--image", root + ":demo:1", bundle.toString());

    assertThat(Files.readString(bundle.resolve("rootfs/app/hello.txt"))).isEqualTo("hello from jbuild\n");
  }
}

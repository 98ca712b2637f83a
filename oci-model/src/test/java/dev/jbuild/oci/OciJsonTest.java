package dev.jbuild.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OciJsonTest {
  private static final Digest D1 = Digest.sha256Of("one".getBytes(StandardCharsets.UTF_8));
  private static final Digest D2 = Digest.sha256Of("two".getBytes(StandardCharsets.UTF_8));

  private static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void write_manifest_isCompactOrderedAndReadsBack() throws Exception {
    Manifest m = new Manifest(MediaType.OCI_MANIFEST, null, new Descriptor(MediaType.OCI_CONFIG, D1, 10),
        List.of(new Descriptor(MediaType.OCI_LAYER_GZIP, D2, 20)), null, Map.of("b", "2", "a", "1"));
    byte[] bytes = OciJson.write(m);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1
            + "\",\"size\":10},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
            + "\"digest\":\"" + D2 + "\",\"size\":20}],\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}");
    assertThat(OciJson.readManifest(bytes)).isEqualTo(m);
  }

  @Test
  void readManifest_withManifestsField_isRejected() {
    byte[] body = json("{'schemaVersion':2,'config':{'mediaType':'x','digest':'" + D1 + "','size':1},"
        + "'layers':[],'manifests':[]}");
    assertThatThrownBy(() -> OciJson.readManifest(body))
        .isInstanceOf(MalformedContentException.class).hasMessageContaining("forbidden 'manifests'");
  }

  @Test
  void readIndex_withLayersOrConfig_isRejected() {
    byte[] body = json("{'schemaVersion':2,'manifests':[],'layers':[]}");
    assertThatThrownBy(() -> OciJson.readIndex(body))
        .isInstanceOf(MalformedContentException.class).hasMessageContaining("forbidden 'config' or 'layers'");
  }

  @Test
  void readManifest_mediaTypeOfAnIndex_isRejected() {
    byte[] body = json("{'schemaVersion':2,'mediaType':'" + MediaType.OCI_INDEX + "','config':{'mediaType':'x',"
        + "'digest':'" + D1 + "','size':1},'layers':[]}");
    assertThatThrownBy(() -> OciJson.readManifest(body)).hasMessageContaining("is not an image manifest type");
  }

  @Test
  void readManifest_duplicateKeys_areRejected() {
    byte[] body = json("{'schemaVersion':2,'config':{'mediaType':'x','digest':'" + D1 + "','size':1},"
        + "'layers':[],'layers':[{'mediaType':'x','digest':'" + D2 + "','size':1}]}");
    assertThatThrownBy(() -> OciJson.readManifest(body))
        .isInstanceOf(MalformedContentException.class).hasMessageContaining("Duplicate field 'layers'");
  }

  @Test
  void readManifest_badDigestOrNegativeSize_isRejected() {
    assertThatThrownBy(() -> OciJson.readManifest(json("{'schemaVersion':2,'config':{'mediaType':'x',"
        + "'digest':'sha256:../../etc/passwd','size':1},'layers':[]}"))).hasMessageContaining("invalid digest");
    assertThatThrownBy(() -> OciJson.readManifest(json("{'schemaVersion':2,'config':{'mediaType':'x',"
        + "'digest':'" + D1 + "','size':-1},'layers':[]}"))).hasMessageContaining("non-negative integer");
  }

  @Test
  void readConfig_nullConfigAndMissingDiffIds_giveCleanDefaults() throws Exception {
    ImageConfig c = OciJson.readConfig(json("{'architecture':'amd64','os':'linux','config':null}"));
    assertThat(c.diffIds()).isEmpty();
    assertThat(c.config()).isEqualTo(ContainerConfig.EMPTY);
  }

  @Test
  void writeConfig_roundTripsEveryField() throws Exception {
    ContainerConfig cc = new ContainerConfig("app", new TreeSet<>(List.of("80/tcp")), List.of("A=1", "B=2"),
        List.of("/bin/app"), List.of("--serve"), new TreeSet<>(List.of("/data")), "/srv",
        new TreeMap<>(Map.of("k", "v")), "SIGTERM",
        new ContainerConfig.Healthcheck(List.of("CMD", "true"), Duration.ofSeconds(30), Duration.ofSeconds(3), null,
            null, 3),
        List.of("RUN echo hi"), List.of("/bin/sh", "-c"), null);
    ImageConfig c = new ImageConfig(Instant.parse("2026-01-01T00:00:00Z"), "me", "arm64", "linux", "v8", null, cc,
        List.of(D1), List.of(new ImageConfig.HistoryEntry(Instant.EPOCH, "COPY x /", null, null, false)));
    byte[] bytes = OciJson.write(c);
    assertThat(OciJson.readConfig(bytes)).isEqualTo(c);
    assertThat(OciJson.write(OciJson.readConfig(bytes))).isEqualTo(bytes);
  }

  @Test
  void detectMediaType_fromFieldOrShape() throws Exception {
    assertThat(OciJson.detectMediaType(json("{'schemaVersion':2,'manifests':[]}"))).isEqualTo(MediaType.OCI_INDEX);
    assertThat(OciJson.detectMediaType(json("{'mediaType':'" + MediaType.DOCKER_MANIFEST + "'}")))
        .isEqualTo(MediaType.DOCKER_MANIFEST);
  }
}

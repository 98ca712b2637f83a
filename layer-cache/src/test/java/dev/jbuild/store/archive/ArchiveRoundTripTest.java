package dev.jbuild.store.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.Zstd;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.TaggedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArchiveRoundTripTest {
  @TempDir Path tmp;
  Store source;
  Descriptor app;
  Descriptor tool;

  @BeforeEach
  void images() throws Exception {
    source = Store.open(tmp.resolve("source"));
    Images.Layer base = Images.layer(source, new Tars().dir("etc").file("etc/os", "test\n").bytes(),
        MediaType.Compression.GZIP);
    Images.Layer appLayer = Images.layer(source, new Tars().file("app.txt", "app\n").bytes(), MediaType.Compression.NONE);
    Images.Layer toolLayer = Images.layer(source, new Tars().file("tool.txt", "tool\n").bytes(),
        MediaType.Compression.ZSTD);
    app = Images.image(source, "app:1", base, appLayer);
    tool = Images.image(source, "localhost:5000/team/tool:2", base, toolLayer);
  }

  private byte[] save(ArchiveFormat format, String... names) throws Exception {
    List<ArchiveWriter.NamedImage> list = new ArrayList<>();
    for (String n : names) {
      Descriptor d = source.images().resolve(n).orElseThrow();
      list.add(new ArchiveWriter.NamedImage(n, StoredImages.read(source.blobs(), d, Platform.host(), n)));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ArchiveWriter.write(source.blobs(), list, format, out);
    return out.toByteArray();
  }

  private List<ArchiveLoader.LoadedImage> load(Store into, byte[] archive) throws Exception {
    return ArchiveLoader.load(into, new ByteArrayInputStream(archive), "archive test.tar", Platform.host());
  }

  @ParameterizedTest
  @EnumSource(ArchiveFormat.class)
  void saveThenLoad_twoImagesSharingALayer_identicalManifestDigestsInAnEmptyStore(ArchiveFormat format)
      throws Exception {
    byte[] archive = save(format, "app:1", "localhost:5000/team/tool:2");
    try (Store target = Store.open(tmp.resolve("target"))) {
      List<ArchiveLoader.LoadedImage> loaded = load(target, archive);

      assertThat(loaded).extracting(l -> l.manifest().digest()).containsExactly(app.digest(), tool.digest());
      assertThat(target.images().list()).extracting(TaggedImage::name, t -> t.manifest().digest())
          .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("app:1", app.digest()),
              org.assertj.core.groups.Tuple.tuple("localhost:5000/team/tool:2", tool.digest()));
      assertThat(target.blobs().list()).isEqualTo(source.blobs().list());
    }
  }

  @Test
  void save_sharedLayer_isWrittenOnceAndTheTarIsReproducible() throws Exception {
    byte[] first = save(ArchiveFormat.DOCKER_ARCHIVE, "app:1", "localhost:5000/team/tool:2");
    byte[] second = save(ArchiveFormat.DOCKER_ARCHIVE, "app:1", "localhost:5000/team/tool:2");

    assertThat(first).isEqualTo(second);
    List<String> names = Tars.list(first).stream().map(e -> e[0]).toList();
    assertThat(names).doesNotHaveDuplicates().isSorted();
    assertThat(names.stream().filter(n -> n.startsWith("blobs/sha256/") && n.length() > 20)).hasSize(7);
    assertThat(names).endsWith("index.json", "manifest.json", "oci-layout", "repositories");
  }

  @Test
  void save_dockerArchive_writesManifestJsonRepositoriesAndNamedIndexEntries() throws Exception {
    byte[] archive = save(ArchiveFormat.DOCKER_ARCHIVE, "app:1");
    JsonNode manifest = OciJson.mapper().readTree(content(archive, "manifest.json"));
    StoredImages.StoredImage image = StoredImages.read(source.blobs(), app, Platform.host(), "app:1");

    assertThat(manifest.get(0).get("Config").asText()).isEqualTo("blobs/sha256/" + image.manifest().config().digest().hex());
    assertThat(manifest.get(0).get("RepoTags").get(0).asText()).isEqualTo("app:1");
    assertThat(manifest.get(0).get("Layers")).hasSize(2);
    String top = image.manifest().layers().get(1).digest().hex();
    assertThat(OciJson.mapper().readTree(content(archive, "repositories")).get("app").get("1").asText())
        .isEqualTo(top);
    Descriptor entry = OciJson.readIndex(content(archive, "index.json")).manifests().get(0);
    assertThat(entry.annotations()).containsEntry("io.containerd.image.name", "docker.io/library/app:1")
        .containsEntry("org.opencontainers.image.ref.name", "1");
  }

  @Test
  void save_ociArchive_namesTheEntryWithTheFullTagAndHasNoManifestJson() throws Exception {
    byte[] archive = save(ArchiveFormat.OCI_ARCHIVE, "app:1");

    assertThat(Tars.list(archive).stream().map(e -> e[0])).doesNotContain("manifest.json", "repositories");
    Descriptor entry = OciJson.readIndex(content(archive, "index.json")).manifests().get(0);
    assertThat(entry.annotations()).containsEntry("org.opencontainers.image.ref.name", "app:1");
  }

  @Test
  void load_gzipAndZstdCompressedArchives_areRecognisedByMagic() throws Exception {
    byte[] archive = save(ArchiveFormat.DOCKER_ARCHIVE, "app:1");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(archive);
    }
    try (Store a = Store.open(tmp.resolve("a")); Store b = Store.open(tmp.resolve("b"))) {
      assertThat(load(a, gz.toByteArray()).get(0).manifest().digest()).isEqualTo(app.digest());
      assertThat(load(b, Zstd.compress(archive)).get(0).manifest().digest()).isEqualTo(app.digest());
    }
  }

  @Test
  void load_entriesInReverseOrder_manifestJsonLast_stillLoads() throws Exception {
    byte[] archive = save(ArchiveFormat.DOCKER_ARCHIVE, "app:1");
    List<String[]> entries = Tars.list(archive);
    Tars reversed = new Tars();
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (!entries.get(i)[1].equals("<dir>")) {
        reversed.file(entries.get(i)[0], rawContent(archive, entries.get(i)[0]));
      }
    }
    try (Store target = Store.open(tmp.resolve("target"))) {
      assertThat(load(target, reversed.bytes()).get(0).names()).containsExactly("app:1");
    }
  }

  @Test
  void load_untaggedIndexEntry_isStoredUntagged() throws Exception {
    List<ArchiveWriter.NamedImage> list = List.of(
        new ArchiveWriter.NamedImage(null, StoredImages.read(source.blobs(), app, Platform.host(), "app")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ArchiveWriter.write(source.blobs(), list, ArchiveFormat.OCI_ARCHIVE, out);
    try (Store target = Store.open(tmp.resolve("target"))) {
      List<ArchiveLoader.LoadedImage> loaded = load(target, out.toByteArray());

      assertThat(loaded.get(0).names()).isEmpty();
      assertThat(target.images().list()).isEmpty();
      assertThat(target.images().entries()).extracting(Descriptor::digest).containsExactly(app.digest());
    }
  }

  static byte[] content(byte[] tar, String name) throws Exception {
    return rawContent(tar, name);
  }

  static byte[] rawContent(byte[] tar, String name) throws Exception {
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals(name)) {
          return in.readAllBytes();
        }
      }
    }
    throw new AssertionError("no entry " + name);
  }
}

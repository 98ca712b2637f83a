package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
  @TempDir Path dir;
  Store store;
  ImageStore images;

  @BeforeEach
  void open() throws StoreException {
    store = Store.open(dir);
    images = store.images();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Descriptor manifest(String content) throws StoreException {
    return store.blobs().put(MediaType.OCI_MANIFEST, content.getBytes(StandardCharsets.UTF_8));
  }

  private List<String> namesInFile() throws Exception {
    JsonNode root = OciJson.mapper().readTree(Files.readAllBytes(dir.resolve("index.json")));
    List<String> names = new ArrayList<>();
    root.get("manifests").forEach(m -> names.add(m.path("annotations").path(ImageStore.REF_NAME).asText(null)));
    return names;
  }

  @Test
  void tag_thenResolveAndList_returnsManifestWithoutRefName() throws Exception {
    Descriptor m = manifest("{\"m\":1}");

    images.tag("app:1.0", m);

    assertThat(images.resolve("app:1.0")).contains(m);
    assertThat(images.list()).containsExactly(new TaggedImage("app:1.0", m));
    assertThat(images.resolve("app:2.0")).isEmpty();
  }

  @Test
  void tag_existingName_replacesEntry() throws Exception {
    Descriptor a = manifest("{\"m\":1}");
    Descriptor b = manifest("{\"m\":2}");

    images.tag("app:latest", a);
    images.tag("app:latest", b);

    assertThat(images.list()).containsExactly(new TaggedImage("app:latest", b));
  }

  @Test
  void tag_manyNamesInRandomOrder_indexSortedByName() throws Exception {
    Descriptor m = manifest("{\"m\":1}");
    for (String n : List.of("zeta:1", "alpha:2", "mid/dle:3", "alpha:1", "Beta:1")) {
      images.tag(n, m);
    }

    assertThat(namesInFile()).containsExactly("Beta:1", "alpha:1", "alpha:2", "mid/dle:3", "zeta:1");
    assertThat(images.list()).extracting(TaggedImage::name)
        .containsExactly("Beta:1", "alpha:1", "alpha:2", "mid/dle:3", "zeta:1");
  }

  @Test
  void tag_sameTagsInDifferentOrder_sameIndexBytes() throws Exception {
    Descriptor m = manifest("{\"m\":1}");
    images.tag("b:1", m);
    images.tag("a:1", m);
    byte[] first = Files.readAllBytes(dir.resolve("index.json"));
    images.untag("a:1");
    images.untag("b:1");
    images.tag("a:1", m);
    images.tag("b:1", m);

    assertThat(Files.readAllBytes(dir.resolve("index.json"))).isEqualTo(first);
  }

  @Test
  void tag_keepsOtherAnnotationsAndPlatform() throws Exception {
    Descriptor m = manifest("{\"m\":1}")
        .withAnnotations(Map.of("org.opencontainers.image.created", "2024-01-01T00:00:00Z"))
        .withPlatform(dev.jbuild.oci.Platform.of("linux", "amd64"));

    images.tag("x:1", m);

    assertThat(images.resolve("x:1")).contains(m);
  }

  @Test
  void tag_manifestBlobMissing_throwsNoSuchBlob() {
    Descriptor ghost = new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(new byte[] {1}), 1);

    assertThatThrownBy(() -> images.tag("ghost:1", ghost)).isInstanceOf(NoSuchBlobException.class);
  }

  @Test
  void tag_invalidNames_rejected() throws Exception {
    Descriptor m = manifest("{\"m\":1}");
    for (String bad : List.of("", "-lead", "trail-", "a//b", "../x", "has space", "a/", "/a", "a\nb", "x".repeat(2000))) {
      assertThatThrownBy(() -> images.tag(bad, m)).as(bad).isInstanceOf(InvalidRefNameException.class);
    }
  }

  @Test
  void validateName_referenceLikeNames_accepted() throws Exception {
    for (String ok : List.of("alpine", "alpine:3.19", "docker.io/library/alpine:3.19", "localhost:5000/a/b:v1",
        "repo@sha256:abc", "a--b", "a_b.c+d")) {
      ImageStore.validateName(ok);
    }
  }

  @Test
  void untag_existingAndMissing_reportsWhetherRemoved() throws Exception {
    Descriptor m = manifest("{\"m\":1}");
    images.tag("a:1", m);
    images.tag("b:1", m);

    assertThat(images.untag("a:1")).isTrue();
    assertThat(images.untag("a:1")).isFalse();
    assertThat(images.list()).extracting(TaggedImage::name).containsExactly("b:1");
    assertThat(store.blobs().has(m.digest())).isTrue();
  }

  @Test
  void list_entryWithoutRefName_toleratedAndKeptOnRewrite() throws Exception {
    Descriptor m = manifest("{\"m\":1}");
    String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaType.OCI_MANIFEST
        + "\",\"digest\":\"" + m.digest() + "\",\"size\":" + m.size() + "}]}";
    Files.writeString(dir.resolve("index.json"), index);

    assertThat(images.list()).isEmpty();
    images.tag("t:1", m);

    assertThat(images.entries()).hasSize(2);
    assertThat(namesInFile()).containsExactly("t:1", null);
  }

  @Test
  void list_malformedIndex_throwsCorruptStoreExceptionNamingFile() throws Exception {
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:../x\"}]");

    assertThatThrownBy(() -> images.list())
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining(dir.toRealPath().resolve("index.json").toString())
        .hasMessageContaining("--repair");
    assertThatThrownBy(() -> images.tag("a:1", manifest("{}"))).isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void tag_concurrentThreads_allTagsLand() throws Exception {
    Descriptor m = manifest("{\"m\":1}");
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      int id = t;
      threads.add(new Thread(() -> {
        try {
          for (int i = 0; i < 10; i++) {
            images.tag("t" + id + ":" + i, m);
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }

    assertThat(errors).isEmpty();
    assertThat(images.list()).hasSize(40);
  }
}

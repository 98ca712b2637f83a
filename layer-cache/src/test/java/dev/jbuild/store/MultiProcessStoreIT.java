package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.OciJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** K02, the inter-process half: two JVMs write blobs and tags into one store at the same time. */
class MultiProcessStoreIT {
  @TempDir Path dir;

  @Test
  void tagAndPut_twoProcessesAndThisOne_allTagsAndBlobsValid() throws Exception {
    Path root = dir.resolve("store");
    Store.open(root).close();
    int n = 25;

    Process a = ChildJvm.start(dir.resolve("a.log"), "tag", root.toString(), "alpha", Integer.toString(n));
    Process b = ChildJvm.start(dir.resolve("b.log"), "tag", root.toString(), "beta", Integer.toString(n));
    // This JVM joins in too, so in-JVM and inter-process locking are exercised together.
    StoreChild.tag(root, "gamma", n);

    assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exitValue()).as(Files.readString(dir.resolve("a.log"))).isZero();
    assertThat(b.exitValue()).as(Files.readString(dir.resolve("b.log"))).isZero();

    // index.json is valid OCI JSON holding every tag of every process, sorted.
    var index = OciJson.readIndex(Files.readAllBytes(root.resolve("index.json")));
    assertThat(index.manifests()).hasSize(3 * n);
    try (Store store = Store.open(root)) {
      assertThat(store.images().list()).hasSize(3 * n);
      assertThat(store.images().resolve("alpha:0")).isPresent();
      assertThat(store.images().resolve("beta:" + (n - 1))).isPresent();
      // n shared + 3n own + 3n manifests, each intact.
      assertThat(store.blobs().list()).hasSize(n + 6 * n);
      for (Digest d : store.blobs().list()) {
        assertThat(Digest.sha256Of(store.blobs().readAll(d, 1 << 20))).isEqualTo(d);
      }
      try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
        assertThat(tmp.toList()).isEmpty();
      }
    }
  }

  /** K02 across processes: four JVMs ingest the same blobs at once and tag them; nothing is corrupt or lost. */
  @Test
  void ingest_sameBlobsFromFourProcesses_oneValidCopyEachAndAllTags() throws Exception {
    Path root = dir.resolve("store");
    Store.open(root).close();
    int n = 20;
    java.util.List<Process> children = new java.util.ArrayList<>();
    for (int k = 0; k < 4; k++) {
      children.add(ChildJvm.start(dir.resolve("same" + k + ".log"), "same-blobs", root.toString(), "child" + k,
          Integer.toString(n)));
    }
    for (int k = 0; k < 4; k++) {
      Process p = children.get(k);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("same" + k + ".log"))).isZero();
    }

    KillDuringIngestIT.assertEveryBlobFileHashesToItsName(root);
    var index = OciJson.readIndex(Files.readAllBytes(root.resolve("index.json")));
    assertThat(index.manifests()).hasSize(4 * n);
    try (Store store = Store.open(root)) {
      for (int i = 0; i < n; i++) {
        Digest d = Digest.sha256Of(StoreChild.sameBlob(i));
        assertThat(store.blobs().has(d)).as("blob %d", i).isTrue();
        for (int k = 0; k < 4; k++) {
          assertThat(store.images().resolve("child" + k + ":" + i)).as("child%d:%d", k, i).isPresent();
        }
      }
      assertThat(store.blobs().list()).hasSize(2 * n); // n layers + n manifests, each once
      try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
        assertThat(tmp.toList()).isEmpty();
      }
    }
  }
}

package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.OciJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** K01: kill -9 of a JVM in the middle of an ingest leaves a store that still verifies. */
class KillDuringIngestIT {
  static final long SIZE = 64L * 1024 * 1024;

  @TempDir Path dir;

  private static List<Path> tmpFiles(Path root) throws Exception {
    try (Stream<Path> s = Files.list(root.resolve("tmp"))) {
      return s.toList();
    }
  }

  @Test
  void destroyForcibly_midWrite_noWrongBlobAndTempSweptOnReopen() throws Exception {
    Path root = dir.resolve("store");
    try (Store store = Store.open(root)) {
      store.images().tag("before:1", store.blobs().put("application/vnd.oci.image.manifest.v1+json",
          "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    Random random = new Random(42);
    for (int run = 0; run < 3; run++) {
      long killAt = 1_000_000 + (long) (random.nextDouble() * (SIZE / 2));
      Process child = ChildJvm.start(dir.resolve("child" + run + ".log"), "slow-ingest", root.toString(),
          Long.toString(SIZE), Long.toString(run));
      waitForTempOfSize(root, killAt, child);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(tmpFiles(root)).as("the crashed ingest's temp file is left behind").isNotEmpty();
      Digest target = Digest.sha256(StoreChild.hash(SIZE, run));
      try (Store store = Store.open(root, Duration.ZERO)) {
        assertThat(tmpFiles(root)).as("swept on the next open").isEmpty();
        assertThat(store.blobs().has(target)).isFalse();
        for (Digest d : store.blobs().list()) {
          assertThat(Digest.sha256Of(store.blobs().readAll(d, SIZE))).isEqualTo(d);
        }
        assertThat(OciJson.readIndex(Files.readAllBytes(root.resolve("index.json"))).manifests()).hasSize(1);
        assertThat(store.images().resolve("before:1")).isPresent();
      }
    }
  }

  @Test
  void slowIngest_notKilled_completesWithVerifiedBlob() throws Exception {
    Path root = dir.resolve("store");
    long size = 4L * 1024 * 1024;
    Process child = ChildJvm.start(dir.resolve("ok.log"), "slow-ingest", root.toString(), Long.toString(size), "7");
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(dir.resolve("ok.log"))).isZero();

    try (Store store = Store.open(root)) {
      Digest d = Digest.sha256(StoreChild.hash(size, 7));
      assertThat(store.blobs().has(d)).isTrue();
      assertThat(store.blobs().size(d)).isEqualTo(size);
    }
  }

  private static void waitForTempOfSize(Path root, long bytes, Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError("child exited early with " + child.exitValue());
      }
      if (Files.isDirectory(root.resolve("tmp"))) {
        for (Path p : tmpFiles(root)) {
          try {
            if (p.getFileName().toString().startsWith("ingest-") && Files.size(p) >= bytes) {
              return;
            }
          } catch (java.nio.file.NoSuchFileException e) {
            // renamed or removed meanwhile
          }
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no temp file reached " + bytes + " bytes");
  }
}

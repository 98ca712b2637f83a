package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.OciJson;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** K01: kill -9 of a JVM in the middle of an ingest leaves a store that still verifies, and resumable ingests resume. */
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

  /**
   * K01 at 50 random points: each child writes blobs in a loop (verified ingest, resumable writer, put) and is
   * killed at a random moment. After every kill every file in blobs/ hashes to its name, and the next open sweeps
   * tmp/ (crashed one-shot and resumable temps alike, with a zero staleness age).
   */
  @Test
  void destroyForcibly_fiftyRandomPoints_everyBlobVerifiesAndTmpSwept() throws Exception {
    Path root = dir.resolve("store");
    Store.open(root).close();
    Random random = new Random(4242);
    int leftovers = 0;
    for (int run = 0; run < 50; run++) {
      Path log = dir.resolve("loop" + run + ".log");
      Process child = ChildJvm.start(log, "ingest-loop", root.toString(), Integer.toString(run * 4));
      ChildJvm.awaitLine(child, log, "READY", 60);
      Thread.sleep(random.nextInt(150));
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertEveryBlobFileHashesToItsName(root);
      leftovers += tmpFiles(root).size();
      try (Store store = Store.open(root, Duration.ZERO)) {
        assertThat(tmpFiles(root)).as("tmp/ after reopening, run %d", run).isEmpty();
        for (Digest d : store.blobs().list()) {
          assertThat(store.blobs().size(d)).isEqualTo(Files.size(store.blobs().path(d)));
        }
        // What `jbuild system check` runs: blobs, index.json references, records, snapshots, temp files.
        dev.jbuild.store.admin.CheckReport check = new dev.jbuild.store.admin.StoreCheck(store, Duration.ZERO)
            .check(false);
        assertThat(check.problems()).as("system check after kill %d", run).isEmpty();
      }
    }
    assertThat(leftovers).as("some kills landed mid-ingest and left a temp file").isPositive();
  }

  /** K01's "resumed (re-hash)": a killed resumable download continues where it stopped, in a new process. */
  @Test
  void destroyForcibly_resumableIngest_nextWriterResumesAfterRehash() throws Exception {
    Path root = dir.resolve("store");
    long size = 16L * 1024 * 1024;
    Process child = ChildJvm.start(dir.resolve("resumable.log"), "slow-resumable", root.toString(),
        Long.toString(size), "9");
    long killAt = 2_000_000 + new Random(9).nextInt(8_000_000);
    waitForTempOfSize(root, killAt, child, "resume-");
    child.destroyForcibly();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Digest expected = Digest.sha256(StoreChild.hash(size, 9));
    try (Store store = Store.open(root)) { // the default staleness keeps a fresh partial download
      try (BlobWriter w = store.blobs().resumableWriter(expected, size)) {
        long resumedAt = w.written();
        assertThat(resumedAt).isGreaterThanOrEqualTo(killAt).isLessThan(size);
        try (InputStream in = new StoreChild.SlowStream(size, 9, false)) {
          in.skipNBytes(resumedAt);
          in.transferTo(w.stream());
        }
        assertThat(w.commit(expected, size)).isEqualTo(expected);
      }
      assertThat(Digest.sha256Of(store.blobs().readAll(expected, size))).isEqualTo(expected);
      assertThat(tmpFiles(root)).isEmpty();
    }
  }

  static void assertEveryBlobFileHashesToItsName(Path root) throws Exception {
    try (Stream<Path> files = Files.list(root.resolve("blobs/sha256"))) {
      for (Path f : files.toList()) {
        assertThat(Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(f.toString()).isTrue();
        String actual = Digest.sha256Of(Files.readAllBytes(f)).hex();
        assertThat(actual).as("content of %s", f).isEqualTo(f.getFileName().toString());
      }
    }
  }

  private static void waitForTempOfSize(Path root, long bytes, Process child) throws Exception {
    waitForTempOfSize(root, bytes, child, "ingest-");
  }

  private static void waitForTempOfSize(Path root, long bytes, Process child, String prefix) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError("child exited early with " + child.exitValue());
      }
      if (Files.isDirectory(root.resolve("tmp"))) {
        for (Path p : tmpFiles(root)) {
          try {
            if (p.getFileName().toString().startsWith(prefix) && Files.size(p) >= bytes) {
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

package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** K05/K06: an ingest resumes after re-hashing what a crashed or aborted attempt left, and refuses stale state. */
class ResumableIngestTest {
  static final byte[] CONTENT = BlobStoreTest.random(700_000, 7);
  static final Digest D = Digest.sha256Of(CONTENT);

  @TempDir Path dir;
  Store store;
  BlobStore blobs;

  @BeforeEach
  void open() throws StoreException {
    store = Store.open(dir.resolve("root"));
    blobs = store.blobs();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private List<Path> tmpFiles() throws IOException {
    try (Stream<Path> s = Files.list(store.root().resolve("tmp"))) {
      return s.sorted().toList();
    }
  }

  private Path partial() {
    return store.root().resolve("tmp/resume-sha256-" + D.hex());
  }

  private Path sidecar() {
    return store.root().resolve("tmp/resume-sha256-" + D.hex() + ".ref");
  }

  /** An attempt that wrote {@code n} bytes of {@code data} and then failed (the connection dropped). */
  private void abortedAttempt(byte[] data, int n) throws Exception {
    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      w.stream().write(data, 0, n);
    }
  }

  private Digest finish(BlobWriter w) throws Exception {
    w.stream().write(CONTENT, (int) w.written(), CONTENT.length - (int) w.written());
    return w.commit(D, CONTENT.length);
  }

  @Test
  void resumableWriter_fresh_startsAtZeroAndCommits() throws Exception {
    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
      assertThat(finish(w)).isEqualTo(D);
    }

    assertThat(blobs.readAll(D, CONTENT.length)).isEqualTo(CONTENT);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void resumableWriter_afterAbortedAttempt_continuesAtTheKeptOffset() throws Exception {
    abortedAttempt(CONTENT, 300_000);
    assertThat(tmpFiles()).containsExactly(partial(), sidecar());
    assertThat(Files.size(partial())).isEqualTo(300_000);

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isEqualTo(300_000);
      assertThat(finish(w)).isEqualTo(D);
    }

    assertThat(blobs.readAll(D, CONTENT.length)).isEqualTo(CONTENT);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void resumableWriter_resumedFromAnotherStoreInstance_rehashesTheBytesOnDisk() throws Exception {
    abortedAttempt(CONTENT, 123_457);
    store.close();

    try (Store reopened = Store.open(dir.resolve("root"));
        BlobWriter w = reopened.blobs().resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isEqualTo(123_457);
      assertThat(finish(w)).isEqualTo(D);
    }
    store = Store.open(dir.resolve("root"));
    assertThat(store.blobs().has(D)).isTrue();
  }

  @Test
  void resumableWriter_badDataFromACrash_truncateAndRewrite_commits() throws Exception {
    byte[] bad = BlobStoreTest.random(50_000, 99);
    abortedAttempt(bad, bad.length);

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isEqualTo(50_000);
      w.truncate();
      assertThat(w.written()).isZero();
      assertThat(finish(w)).isEqualTo(D);
    }

    assertThat(blobs.readAll(D, CONTENT.length)).isEqualTo(CONTENT);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void resumableWriter_badDataResumedWithoutTruncate_commitFailsAndDiscardsIt() throws Exception {
    byte[] bad = BlobStoreTest.random(50_000, 99);
    abortedAttempt(bad, bad.length);

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThatThrownBy(() -> finish(w)).isInstanceOf(DigestMismatchException.class);
    }
    assertThat(blobs.has(D)).isFalse();
    assertThat(tmpFiles()).isEmpty();

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
      assertThat(finish(w)).isEqualTo(D);
    }
  }

  @Test
  void resumableWriter_sidecarRecordsAnotherSize_startsAfresh() throws Exception {
    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length + 1)) {
      w.stream().write(CONTENT, 0, 1000);
    }

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
      assertThat(Files.size(partial())).isZero();
      assertThat(Files.readString(sidecar())).contains(D.toString()).contains("\n" + CONTENT.length + "\n");
      assertThat(finish(w)).isEqualTo(D);
    }
  }

  @Test
  void resumableWriter_sidecarMissingOrForeign_startsAfresh() throws Exception {
    abortedAttempt(CONTENT, 1000);
    Files.delete(sidecar());
    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
    }

    abortedAttempt(CONTENT, 1000);
    Files.writeString(sidecar(), "jbuild-resume 1\n" + Digest.sha256Of(new byte[1]) + "\n" + CONTENT.length + "\n");
    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
      assertThat(finish(w)).isEqualTo(D);
    }
  }

  @Test
  void resumableWriter_partialLongerThanTheBlob_startsAfresh() throws Exception {
    abortedAttempt(CONTENT, 1000);
    byte[] tooLong = Arrays.copyOf(CONTENT, CONTENT.length + 10);
    Files.write(partial(), tooLong);

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
      assertThat(finish(w)).isEqualTo(D);
    }
  }

  @Test
  void resumableWriter_symlinkPlantedAtItsName_isReplacedNotFollowed() throws Exception {
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "do not touch");
    Files.createSymbolicLink(partial(), victim);

    try (BlobWriter w = blobs.resumableWriter(D, CONTENT.length)) {
      assertThat(w.written()).isZero();
      assertThat(finish(w)).isEqualTo(D);
    }

    assertThat(Files.readString(victim)).isEqualTo("do not touch");
    assertThat(blobs.readAll(D, CONTENT.length)).isEqualTo(CONTENT);
  }

  @Test
  void resumableWriter_sameBlobTwiceAtOnce_secondIsOneShotAndBothCommit() throws Exception {
    try (BlobWriter first = blobs.resumableWriter(D, CONTENT.length);
        BlobWriter second = blobs.resumableWriter(D, CONTENT.length)) {
      first.stream().write(CONTENT, 0, 10);
      assertThat(second.written()).isZero();
      second.stream().write(CONTENT);
      assertThat(second.commit(D, CONTENT.length)).isEqualTo(D);
      assertThat(finish(first)).isEqualTo(D);
    }

    assertThat(blobs.list()).containsExactly(D);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void resumableWriter_unknownSize_rejected() {
    assertThatThrownBy(() -> blobs.resumableWriter(D, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void truncate_oneShotWriter_restartsFromZero() throws Exception {
    try (BlobWriter w = blobs.newWriter()) {
      w.stream().write("wrong".getBytes(StandardCharsets.UTF_8));
      w.truncate();
      w.stream().write(CONTENT);
      assertThat(w.commit(D, CONTENT.length)).isEqualTo(D);
    }
  }

  @Test
  void open_resumablePartial_keptWhileFreshSweptOnceStale() throws Exception {
    abortedAttempt(CONTENT, 1000);
    store.close();
    try (Store reopened = Store.open(dir.resolve("root"))) {
      assertThat(tmpFiles()).containsExactly(partial(), sidecar());
    }
    Files.setLastModifiedTime(partial(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Files.setLastModifiedTime(sidecar(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    store = Store.open(dir.resolve("root"));
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void open_crashedOneShotIngestPastTheGrace_sweptWithTheDefaultAge() throws Exception {
    Path crashed = store.root().resolve("tmp/ingest-crashed");
    Files.write(crashed, new byte[100]);
    Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
    Path orphanRef = store.root().resolve("tmp/resume-sha256-" + "0".repeat(64) + ".ref");
    Files.writeString(orphanRef, "jbuild-resume 1\n");
    Files.setLastModifiedTime(orphanRef, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));

    try (Store reopened = Store.open(dir.resolve("root"))) {
      assertThat(tmpFiles()).isEmpty();
    }
  }
}

package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.DigestMismatchException;
import dev.jbuild.oci.InvalidDigestException;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
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

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private List<Path> tmpFiles() throws IOException {
    try (Stream<Path> s = Files.list(store.root().resolve("tmp"))) {
      return s.toList();
    }
  }

  @Test
  void put_smallContent_storesUnderDigestPath() throws Exception {
    Descriptor d = blobs.put(MediaType.OCI_CONFIG, bytes("{}"));

    assertThat(d.digest()).isEqualTo(Digest.of("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"));
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.mediaType()).isEqualTo(MediaType.OCI_CONFIG);
    assertThat(blobs.path(d.digest())).isEqualTo(store.root().resolve("blobs/sha256/" + d.digest().hex()));
    assertThat(Files.readAllBytes(blobs.path(d.digest()))).isEqualTo(bytes("{}"));
    assertThat(blobs.has(d.digest())).isTrue();
    assertThat(blobs.size(d.digest())).isEqualTo(2);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void put_sameContentTwice_returnsSameDescriptorAndOneBlob() throws Exception {
    Descriptor a = blobs.put(MediaType.OCI_CONFIG, bytes("same"));
    Descriptor b = blobs.put(MediaType.OCI_CONFIG, bytes("same"));

    assertThat(a).isEqualTo(b);
    assertThat(blobs.list()).containsExactly(a.digest());
  }

  @Test
  void ingest_matchingDigestAndSize_storesVerifiedBlob() throws Exception {
    byte[] content = random(300_000, 1);
    Digest expected = Digest.sha256Of(content);

    Digest d = blobs.ingest(new ByteArrayInputStream(content), expected, content.length);

    assertThat(d).isEqualTo(expected);
    assertThat(blobs.readAll(d, 1 << 20)).isEqualTo(content);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void ingest_unknownDigestAndSize_returnsComputedDigest() throws Exception {
    byte[] content = random(1000, 2);

    Digest d = blobs.ingest(new ByteArrayInputStream(content), null, -1);

    assertThat(d).isEqualTo(Digest.sha256Of(content));
    assertThat(blobs.has(d)).isTrue();
  }

  @Test
  void ingest_wrongDigest_storesNothingAndRemovesTemp() throws Exception {
    byte[] content = bytes("the real bytes");
    Digest claimed = Digest.sha256Of(bytes("other bytes"));

    assertThatThrownBy(() -> blobs.ingest(new ByteArrayInputStream(content), claimed, content.length))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("digest mismatch");

    assertThat(blobs.has(claimed)).isFalse();
    assertThat(blobs.has(Digest.sha256Of(content))).isFalse();
    assertThat(blobs.list()).isEmpty();
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void ingest_wrongSize_storesNothingAndRemovesTemp() throws Exception {
    byte[] content = bytes("twelve bytes");
    Digest real = Digest.sha256Of(content);

    assertThatThrownBy(() -> blobs.ingest(new ByteArrayInputStream(content), real, content.length + 5))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("size mismatch");

    assertThat(blobs.list()).isEmpty();
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void ingest_sourceLongerThanPromised_stopsReadingOnePastTheSize() throws Exception {
    InputStream endless = new InputStream() {
      long served;

      @Override
      public int read() {
        served++;
        return 'x';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 'x');
        served += len;
        if (served > 10_000_000) {
          throw new AssertionError("read far past the promised size");
        }
        return len;
      }
    };

    assertThatThrownBy(() -> blobs.ingest(endless, null, 100))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected 100 bytes, got 101");
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void ingest_sha512Digest_storesUnderSha512() throws Exception {
    byte[] content = bytes("sha512 content");
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-512");
    Digest expected = Digest.of("sha512:" + java.util.HexFormat.of().formatHex(md.digest(content)));

    Digest d = blobs.ingest(new ByteArrayInputStream(content), expected, content.length);

    assertThat(d).isEqualTo(expected);
    assertThat(blobs.path(d)).isEqualTo(store.root().resolve("blobs/sha512/" + expected.hex()));
    assertThat(blobs.readAll(d, 1000)).isEqualTo(content);
    assertThat(blobs.list()).containsExactly(expected);
  }

  @Test
  void commit_blobAlreadyExists_keepsExistingFileAndRemovesTemp() throws Exception {
    byte[] content = bytes("existing");
    Descriptor first = blobs.put(MediaType.OCI_CONFIG, content);
    Path blob = blobs.path(first.digest());
    Object inodeBefore = Files.getAttribute(blob, "unix:ino");
    Files.setLastModifiedTime(blob, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));

    Digest d;
    try (BlobWriter w = blobs.newWriter()) {
      w.stream().write(content);
      d = w.commit(first.digest(), content.length);
    }

    assertThat(d).isEqualTo(first.digest());
    assertThat(Files.getAttribute(blob, "unix:ino")).isEqualTo(inodeBefore);
    // The same file stays (same inode), with its mtime refreshed so that prune's grace period restarts on reuse.
    assertThat(Files.getLastModifiedTime(blob).toInstant()).isAfter(Instant.parse("2001-01-01T00:00:00Z"));
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void commit_existingBlobHasWrongSize_replacesItWithVerifiedContent() throws Exception {
    byte[] content = bytes("good content");
    Digest d = Digest.sha256Of(content);
    Files.write(blobs.path(d), bytes("truncated"));

    blobs.ingest(new ByteArrayInputStream(content), d, content.length);

    assertThat(Files.readAllBytes(blobs.path(d))).isEqualTo(content);
  }

  @Test
  void writer_closedWithoutCommit_removesTemp() throws Exception {
    try (BlobWriter w = blobs.newWriter()) {
      w.stream().write(random(5000, 3));
      assertThat(w.written()).isEqualTo(5000);
      assertThat(tmpFiles()).hasSize(1);
    }
    assertThat(tmpFiles()).isEmpty();
    assertThat(blobs.list()).isEmpty();
  }

  @Test
  void writer_digestSoFar_coversWhatWasWritten_andWritingGoesOn() throws Exception {
    byte[] a = random(70_000, 4);
    byte[] b = random(200_000, 5);
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    try (BlobWriter w = blobs.newWriter()) {
      assertThat(w.algorithm()).isEqualTo(Digest.SHA256);
      assertThat(w.digestSoFar()).isEqualTo(Digest.sha256Of(new byte[0]));
      w.stream().write(a);
      assertThat(w.digestSoFar()).isEqualTo(Digest.sha256Of(a));
      w.stream().write(b);
      assertThat(w.digestSoFar()).isEqualTo(Digest.sha256Of(both));
      assertThat(w.commit(Digest.sha256Of(both), both.length)).isEqualTo(Digest.sha256Of(both));
    }
    assertThat(blobs.readAll(Digest.sha256Of(both), both.length)).isEqualTo(both);
  }

  @Test
  void writer_writeAfterCommit_fails() throws Exception {
    BlobWriter w = blobs.newWriter();
    w.stream().write(1);
    w.commit(null, 1);

    assertThatThrownBy(() -> w.stream().write(2)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> w.commit(null, -1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void open_intactBlob_readsAndVerifies() throws Exception {
    byte[] content = random(200_000, 4);
    Descriptor d = blobs.put(MediaType.OCI_LAYER, content);

    try (InputStream in = blobs.open(d.digest())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void open_bitFlippedBlob_failsWithDigestMismatchAtEnd() throws Exception {
    byte[] content = random(100_000, 5);
    Descriptor d = blobs.put(MediaType.OCI_LAYER, content);
    byte[] flipped = content.clone();
    flipped[54_321] ^= 0x10;
    Files.write(blobs.path(d.digest()), flipped);

    try (InputStream in = blobs.open(d.digest())) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("digest mismatch")
          .hasMessageContaining("jbuild system check --repair")
          .hasCauseInstanceOf(DigestMismatchException.class);
    }
  }

  @Test
  void open_blobWithSkippedBytes_stillVerifies() throws Exception {
    byte[] content = random(50_000, 6);
    Descriptor d = blobs.put(MediaType.OCI_LAYER, content);
    byte[] flipped = content.clone();
    flipped[10] ^= 1;
    Files.write(blobs.path(d.digest()), flipped);

    try (InputStream in = blobs.open(d.digest())) {
      in.skip(1000);
      assertThatThrownBy(in::readAllBytes).hasCauseInstanceOf(DigestMismatchException.class);
    }
  }

  @Test
  void readAll_bitFlippedBlob_throwsCorruptStoreExceptionNamingFile() throws Exception {
    byte[] content = bytes("{\"a\":1}");
    Descriptor d = blobs.put(MediaType.OCI_CONFIG, content);
    Files.write(blobs.path(d.digest()), bytes("{\"a\":2}"));

    assertThatThrownBy(() -> blobs.readAll(d.digest(), 1000))
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining(blobs.path(d.digest()).toString())
        .hasMessageContaining("--repair");
  }

  @Test
  void readAll_blobOverCap_throwsWithoutReading() throws Exception {
    Descriptor d = blobs.put(MediaType.OCI_CONFIG, random(2000, 7));

    assertThatThrownBy(() -> blobs.readAll(d.digest(), 1000))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("2000 bytes");
  }

  @Test
  void open_missingBlob_throwsNoSuchBlobNamingDigest() {
    Digest d = Digest.sha256Of(bytes("absent"));

    assertThatThrownBy(() -> blobs.open(d))
        .isInstanceOf(NoSuchBlobException.class)
        .hasMessageContaining(d.toString());
    assertThatThrownBy(() -> blobs.size(d)).isInstanceOf(NoSuchBlobException.class);
  }

  @Test
  void parse_maliciousDigestStrings_rejectedBeforeAnyPathIsBuilt() throws Exception {
    List<String> evil = List.of(
        "sha256:../../../../etc/passwd",
        "sha256:" + "a".repeat(63) + "/",
        "sha256:" + "A".repeat(64),
        "sha256/../../x:" + "a".repeat(64),
        "../sha256:" + "a".repeat(64),
        "sha256:" + "a".repeat(64) + "\u0000",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256:");
    List<Path> before;
    try (Stream<Path> s = Files.walk(dir)) {
      before = s.sorted().toList();
    }

    for (String s : evil) {
      assertThatThrownBy(() -> Digest.parse(s)).as(s).isInstanceOf(InvalidDigestException.class);
    }

    try (Stream<Path> s = Files.walk(dir)) {
      assertThat(s.sorted().toList()).isEqualTo(before);
    }
  }

  @Test
  void has_blobPathIsSymlink_treatsBlobAsAbsent() throws Exception {
    Path outside = dir.resolve("outside");
    Files.write(outside, bytes("secret"));
    Digest d = Digest.sha256Of(bytes("secret"));
    Files.createSymbolicLink(blobs.path(d), outside);

    assertThat(blobs.has(d)).isFalse();
    assertThatThrownBy(() -> blobs.open(d)).isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void ingest_sameBlobFromFourThreads_oneValidBlobAndNoLockErrors() throws Exception {
    byte[] content = random(3_000_000, 8);
    Digest expected = Digest.sha256Of(content);
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Digest>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit((Callable<Digest>) () -> {
          start.await();
          return blobs.ingest(new ByteArrayInputStream(content), expected, content.length);
        }));
      }
      for (Future<Digest> f : results) {
        assertThat(f.get()).isEqualTo(expected); // an OverlappingFileLockException would surface here
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(blobs.list()).containsExactly(expected);
    assertThat(blobs.readAll(expected, content.length)).isEqualTo(content);
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void lock_heldByCallerThenCommitOnSameThread_doesNotDeadlock() throws Exception {
    byte[] content = bytes("locked ingest");
    Digest d = Digest.sha256Of(content);

    try (StoreLock lock = blobs.lock(d)) {
      assertThat(blobs.has(d)).isFalse();
      blobs.ingest(new ByteArrayInputStream(content), d, content.length);
    }

    assertThat(blobs.has(d)).isTrue();
  }

  @Test
  void twoStoresOnOneRoot_concurrentIngest_shareLocksWithoutOverlapErrors() throws Exception {
    byte[] content = random(500_000, 9);
    Digest expected = Digest.sha256Of(content);
    try (Store second = Store.open(dir.resolve("root"))) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Digest> a = pool.submit(() -> blobs.ingest(new ByteArrayInputStream(content), expected, -1));
        Future<Digest> b = pool.submit(() -> second.blobs().ingest(new ByteArrayInputStream(content), expected, -1));
        assertThat(a.get()).isEqualTo(expected);
        assertThat(b.get()).isEqualTo(expected);
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(blobs.list()).containsExactly(expected);
  }

  @Test
  void delete_existingBlob_removesItOnce() throws Exception {
    Descriptor d = blobs.put(MediaType.OCI_CONFIG, bytes("gone soon"));

    assertThat(blobs.delete(d.digest())).isTrue();
    assertThat(blobs.delete(d.digest())).isFalse();
    assertThat(blobs.has(d.digest())).isFalse();
  }

  @Test
  void list_strayFilesInBlobsDir_areIgnored() throws Exception {
    Descriptor d = blobs.put(MediaType.OCI_CONFIG, bytes("x"));
    Files.write(store.root().resolve("blobs/sha256/not-a-digest"), bytes("junk"));
    Files.write(store.root().resolve("blobs/sha256/" + "A".repeat(64)), bytes("junk"));

    assertThat(blobs.list()).containsExactly(d.digest());
  }

  @Test
  void open_staleTempWithoutLiveWriter_isSweptButLiveWriterTempIsKept() throws Exception {
    Path stale = store.root().resolve("tmp/ingest-crashed");
    Files.write(stale, bytes("partial"));
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path fresh = store.root().resolve("tmp/ingest-recent");
    Files.write(fresh, bytes("partial"));

    try (BlobWriter live = blobs.newWriter()) {
      live.stream().write(bytes("in flight"));
      live.stream().flush();
      try (Store reopened = Store.open(dir.resolve("root"))) {
        assertThat(tmpFiles()).doesNotContain(stale).contains(fresh).hasSize(2);
      }
      try (Store reopened = Store.open(dir.resolve("root"), Duration.ZERO)) {
        assertThat(tmpFiles()).hasSize(1).doesNotContain(fresh); // only the live writer's temp survives
      }
      live.commit(null, -1);
    }
    assertThat(tmpFiles()).isEmpty();
  }
}

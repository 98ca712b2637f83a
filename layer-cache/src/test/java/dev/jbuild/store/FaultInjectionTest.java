package dev.jbuild.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** K07: a failing fsync, rename or full disk during an ingest leaves no blob, says so, and the next run recovers. */
class FaultInjectionTest {
  static final byte[] CONTENT = BlobStoreTest.random(400_000, 17);
  static final Digest D = Digest.sha256Of(CONTENT);

  @TempDir Path dir;

  /** The real filesystem with switches for the failures a device or a full disk produce. */
  static final class FaultyFs extends Fs {
    volatile long spaceLeft = Long.MAX_VALUE;
    volatile boolean failForce;
    volatile boolean failMove;

    @Override
    void write(FileChannel ch, ByteBuffer buf) throws IOException {
      while (buf.hasRemaining()) {
        if (spaceLeft <= 0) {
          throw new IOException("No space left on device");
        }
        ByteBuffer part = buf.slice();
        part.limit((int) Math.min(part.remaining(), spaceLeft));
        int n = ch.write(part);
        buf.position(buf.position() + n);
        spaceLeft -= n;
      }
    }

    @Override
    void force(FileChannel ch) throws IOException {
      if (failForce) {
        throw new IOException("Input/output error (injected fsync failure)");
      }
      super.force(ch);
    }

    @Override
    void move(Path from, Path to) throws IOException {
      if (failMove) {
        throw new IOException("injected rename failure: " + from + " -> " + to);
      }
      super.move(from, to);
    }
  }

  private Path root() {
    return dir.resolve("root");
  }

  private void assertNothingStoredAndTmpEmpty() throws Exception {
    try (Stream<Path> blobs = Files.list(root().resolve("blobs/sha256"));
        Stream<Path> tmp = Files.list(root().resolve("tmp"))) {
      assertThat(blobs.toList()).isEmpty();
      assertThat(tmp.toList()).isEmpty();
    }
  }

  /** The next run, on the real filesystem, stores the same blob. */
  private void assertNextRunRecovers() throws Exception {
    try (Store store = Store.open(root(), Duration.ZERO)) {
      assertThat(store.blobs().ingest(new ByteArrayInputStream(CONTENT), D, CONTENT.length)).isEqualTo(D);
      assertThat(store.blobs().readAll(D, CONTENT.length)).isEqualTo(CONTENT);
    }
  }

  @Test
  void commit_fsyncFails_noBlobErrorSurfacedAndNextRunRecovers() throws Exception {
    FaultyFs fs = new FaultyFs();
    fs.failForce = true;
    try (Store store = Store.open(root(), Duration.ZERO, fs)) {
      assertThatThrownBy(() -> store.blobs().ingest(new ByteArrayInputStream(CONTENT), D, CONTENT.length))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(D.toString())
          .hasMessageContaining("injected fsync failure");
      assertThat(store.blobs().has(D)).isFalse();
    }
    assertNothingStoredAndTmpEmpty();
    assertNextRunRecovers();
  }

  @Test
  void commit_renameFails_noBlobErrorSurfacedAndNextRunRecovers() throws Exception {
    FaultyFs fs = new FaultyFs();
    fs.failMove = true;
    try (Store store = Store.open(root(), Duration.ZERO, fs)) {
      assertThatThrownBy(() -> store.blobs().ingest(new ByteArrayInputStream(CONTENT), D, CONTENT.length))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("injected rename failure");
      assertThat(store.blobs().has(D)).isFalse();
    }
    assertNothingStoredAndTmpEmpty();
    assertNextRunRecovers();
  }

  @Test
  void ingest_diskFullMidStream_noBlobErrorSurfacedAndNextRunRecovers() throws Exception {
    FaultyFs fs = new FaultyFs();
    fs.spaceLeft = 200_000;
    try (Store store = Store.open(root(), Duration.ZERO, fs)) {
      assertThatThrownBy(() -> store.blobs().ingest(new ByteArrayInputStream(CONTENT), D, CONTENT.length))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("No space left on device");
      assertThat(store.blobs().has(D)).isFalse();
    }
    assertNothingStoredAndTmpEmpty();
    assertNextRunRecovers();
  }

  @Test
  void put_diskFullAtCommitFlush_noBlobAndErrorSurfaced() throws Exception {
    FaultyFs fs = new FaultyFs();
    fs.spaceLeft = 10;
    try (Store store = Store.open(root(), Duration.ZERO, fs)) {
      // Small content sits in the writer's buffer until commit flushes it.
      assertThatThrownBy(() -> store.blobs().put(MediaType.OCI_CONFIG, new byte[1000]))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("No space left on device");
      assertThat(store.blobs().list()).isEmpty();
    }
    assertNothingStoredAndTmpEmpty();
  }

  @Test
  void resumableWriter_diskFull_writerRefusesFurtherWritesAndNothingIsStored() throws Exception {
    FaultyFs fs = new FaultyFs();
    fs.spaceLeft = 150_000;
    try (Store store = Store.open(root(), Duration.ZERO, fs)) {
      try (BlobWriter w = store.blobs().resumableWriter(D, CONTENT.length)) {
        assertThatThrownBy(() -> w.stream().write(CONTENT)).hasMessageContaining("No space left on device");
        assertThatThrownBy(() -> w.stream().write(1)).hasMessageContaining("earlier write");
        assertThatThrownBy(() -> w.commit(D, CONTENT.length)).isInstanceOf(StoreException.class);
      }
      assertThat(store.blobs().has(D)).isFalse();
    }
    assertNothingStoredAndTmpEmpty();
    assertNextRunRecovers();
  }

  @Test
  void truncate_afterDiskFull_freedSpaceLetsTheSameWriterRetry() throws Exception {
    FaultyFs fs = new FaultyFs();
    fs.spaceLeft = 150_000;
    try (Store store = Store.open(root(), Duration.ZERO, fs); BlobWriter w = store.blobs().newWriter()) {
      assertThatThrownBy(() -> w.stream().write(CONTENT)).hasMessageContaining("No space left on device");
      fs.spaceLeft = Long.MAX_VALUE; // the user freed some space
      w.truncate();
      w.stream().write(CONTENT);
      assertThat(w.commit(D, CONTENT.length)).isEqualTo(D);
      assertThat(store.blobs().readAll(D, CONTENT.length)).isEqualTo(CONTENT);
    }
  }
}

package dev.jbuild.store.admin;

import static dev.jbuild.store.admin.StoreGcTest.configOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import dev.jbuild.store.TaggedImage;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckTest {
  @TempDir Path dir;
  Path root;
  Store store;
  TestImages t;
  Descriptor good;

  @BeforeEach
  void open() throws Exception {
    root = dir.resolve("store");
    store = Store.open(root, Duration.ZERO);
    t = new TestImages(store);
    TestImages.Layer zstd = t.layer("zstd layer", MediaType.Compression.ZSTD);
    good = t.image("good:1", t.gzip("gzip layer"), zstd, t.plain("plain layer"));
    t.index("multi:1", good, new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(new byte[] {7}), 1));
    TestImages.Layer local = t.plain("local");
    t.image("local:1", local);
    store.compression().record(local.diffId(), MediaType.Compression.GZIP, t.gzip("local").blob());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private StoreCheck check() {
    return new StoreCheck(store, Duration.ZERO);
  }

  private static List<String> lines(CheckReport r) {
    return r.problems().stream().map(CheckReport.Problem::toString).toList();
  }

  @Test
  void check_soundStore_isClean() throws Exception {
    CheckReport r = check().check(false);

    assertThat(lines(r)).isEmpty();
    assertThat(r.clean()).isTrue();
    assertThat(r.images()).isEqualTo(3);
    assertThat(r.blobs()).isEqualTo(store.blobs().list().size());
    assertThat(r.compressionRecords()).isEqualTo(1);
  }

  @Test
  void check_bitFlippedLayer_reportedThenRepairedByDeletingBlobAndTags() throws Exception {
    Descriptor layer = t.plain("will rot").blob();
    t.image("rotten:1", t.plain("fine"), new TestImages.Layer(layer, Digest.sha256Of("will rot".getBytes())));
    flipByte(t.blob(layer), 3);
    byte[] indexBefore = Files.readAllBytes(root.resolve("index.json"));

    CheckReport report = check().check(false);

    String blob = "blobs/sha256/" + layer.digest().hex();
    assertThat(lines(report)).anyMatch(l -> l.startsWith(blob + ": corrupt: its content hashes to sha256:"));
    assertThat(lines(report)).contains("image rotten:1: layer 2 " + layer.digest() + " is corrupt");
    assertThat(report.clean()).isFalse();
    assertThat(Files.readAllBytes(root.resolve("index.json"))).isEqualTo(indexBefore);
    assertThat(t.blob(layer)).exists();

    CheckReport repaired = check().check(true);

    assertThat(repaired.clean()).isTrue();
    assertThat(repaired.removedTags()).containsExactly("rotten:1");
    assertThat(lines(repaired)).contains(
        "image rotten:1: layer 2 " + layer.digest() + " is corrupt (repaired: removed the tag)");
    assertThat(t.blob(layer)).doesNotExist();
    assertThat(store.images().list()).extracting(TaggedImage::name).containsExactly("good:1", "local:1", "multi:1");
    assertThat(check().check(false).problems()).isEmpty();
  }

  @Test
  void check_missingConfig_removesOnlyThatImage() throws Exception {
    Descriptor m = t.image("noconfig:1", t.plain("n"));
    Digest config = configOf(store, m);
    Files.delete(store.blobs().path(config));

    CheckReport r = check().check(true);

    assertThat(lines(r)).containsExactly(
        "image noconfig:1: config " + config + " is missing (repaired: removed the tag)");
    assertThat(store.images().resolve("noconfig:1")).isEmpty();
    assertThat(store.images().resolve("good:1")).isPresent();
  }

  @Test
  void check_entryPointingAtAConfig_isAMalformedManifest() throws Exception {
    Digest config = configOf(store, good);
    Descriptor wrong = new Descriptor(MediaType.OCI_MANIFEST, config, store.blobs().size(config));
    store.images().tag("wrong:1", wrong);

    CheckReport r = check().check(false);

    assertThat(lines(r)).singleElement().asString()
        .startsWith("image wrong:1: manifest " + config + " is unreadable: manifest: schemaVersion must be 2");
  }

  @Test
  void check_truncatedLayer_isCorruptAndItsImageBroken() throws Exception {
    TestImages.Layer layer = t.gzip("a layer that will be cut short ".repeat(50));
    t.image("cut:1", layer);
    try (FileChannel ch = FileChannel.open(t.blob(layer.blob()), StandardOpenOption.WRITE)) {
      ch.truncate(layer.blob().size() / 2);
    }

    CheckReport r = check().check(true);

    assertThat(lines(r)).contains(
        "image cut:1: layer 1 " + layer.blob().digest() + " is corrupt (repaired: removed the tag)");
    assertThat(r.removedTags()).containsExactly("cut:1");
  }

  @Test
  void check_diffIdMismatch_removesTheTagButKeepsTheSoundBlob() throws Exception {
    TestImages.Layer real = t.gzip("real content");
    Digest claimed = Digest.sha256Of("other content".getBytes());
    t.image("lying:1", new TestImages.Layer(real.blob(), claimed));

    CheckReport r = check().check(true);

    assertThat(lines(r)).containsExactly("image lying:1: layer 1 " + real.blob().digest() + " uncompresses to "
        + real.diffId() + " but the config says diff_id " + claimed + " (repaired: removed the tag)");
    assertThat(store.blobs().has(real.blob().digest())).isTrue();
  }

  @Test
  void check_strayFileAndSymlinkInBlobs_reportedAndRemovedWithoutTouchingTheTarget() throws Exception {
    Path stray = Files.writeString(root.resolve("blobs/sha256/notadigest"), "x");
    Path target = Files.writeString(dir.resolve("outside.txt"), "precious");
    String hex = Digest.sha256Of("precious".getBytes()).hex();
    Path link = Files.createSymbolicLink(root.resolve("blobs/sha256").resolve(hex), target);

    CheckReport before = check().check(false);

    assertThat(lines(before)).containsExactlyInAnyOrder(
        "blobs/sha256/notadigest: a file whose name is not a sha256 digest",
        "blobs/sha256/" + hex + ": a symlink; blobs must be regular files");

    CheckReport r = check().check(true);

    assertThat(r.clean()).isTrue();
    assertThat(stray).doesNotExist();
    assertThat(link).doesNotExist();
    assertThat(target).hasContent("precious");
  }

  @Test
  void check_badCompressionRecord_isDeleted() throws Exception {
    TestImages.Layer layer = t.plain("layer");
    t.image("x:1", layer);
    Descriptor unrelated = t.gzip("something else").blob();
    store.compression().record(layer.diffId(), MediaType.Compression.GZIP, unrelated);
    Path record = root.resolve("compression/sha256").resolve(layer.diffId().hex()).resolve("gzip");

    CheckReport r = check().check(true);

    assertThat(lines(r)).singleElement().asString().startsWith("compression/sha256/" + layer.diffId().hex()
        + "/gzip: points at " + unrelated.digest() + ", which uncompresses to ").endsWith("(repaired: deleted)");
    assertThat(record).doesNotExist();
  }

  @Test
  void check_interruptedSnapshotAndLeftoverTemp_reportedAndRepaired() throws Exception {
    Digest diffId = Digest.sha256Of("x".getBytes());
    Path snap = Files.createDirectories(root.resolve("snapshots/sha256").resolve(diffId.hex()).resolve("rootfs"))
        .getParent();
    Files.writeString(snap.resolve("incomplete"), "");
    Path noRootfs = Files.createDirectories(root.resolve("snapshots/sha256").resolve("a".repeat(64)));
    Path temp = Files.writeString(root.resolve("tmp/ingest-abandoned"), "half");

    CheckReport r = check().check(true);

    assertThat(lines(r)).containsExactlyInAnyOrder(
        "snapshots/sha256/" + diffId.hex() + ": incomplete snapshot (its extraction was interrupted) (repaired: deleted)",
        "snapshots/sha256/" + "a".repeat(64) + ": snapshot without a rootfs/ directory (repaired: deleted)",
        "tmp/ingest-abandoned: leftover temp file (repaired: deleted)");
    assertThat(snap).doesNotExist();
    assertThat(noRootfs).doesNotExist();
    assertThat(temp).doesNotExist();
  }

  @Test
  void check_recentSnapshotAndTemp_arePresumedInProgress() throws Exception {
    Path snap = Files.createDirectories(root.resolve("snapshots/sha256").resolve("b".repeat(64)));
    Files.writeString(snap.resolve("incomplete"), "");
    Files.writeString(root.resolve("tmp/ingest-live"), "half");

    CheckReport r = new StoreCheck(store, Duration.ofHours(1)).check(true);

    assertThat(r.problems()).isEmpty();
    assertThat(snap).exists();
  }

  @Test
  void check_malformedIndexJson_isReportedNotRepaired() throws Exception {
    Files.writeString(root.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[],\"manifests\":[]}");

    CheckReport r = check().check(true);

    assertThat(r.clean()).isFalse();
    assertThat(lines(r)).singleElement().asString().startsWith("index.json: ").contains("not repaired");
  }

  private static void flipByte(Path file, long at) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
    }
  }
}

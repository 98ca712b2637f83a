package dev.jbuild.store.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.apply.LayerApplier;
import dev.jbuild.store.apply.LayerApplyException;
import dev.jbuild.store.cache.HeaderLog;
import dev.jbuild.store.cache.LayerHeaderCache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerTreesTest {
  @TempDir Path dir;
  Store store;
  LayerTrees trees;

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(dir.resolve("store"), Duration.ZERO);
    trees = LayerTrees.of(store);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static byte[] tar(String... namesAndContents) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        byte[] c = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
        e.setSize(c.length);
        t.putArchiveEntry(e);
        t.write(c);
        t.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(b);
    }
    return out.toByteArray();
  }

  Descriptor put(byte[] blob) throws Exception {
    Digest d = store.blobs().ingest(new ByteArrayInputStream(blob), null, -1);
    return new Descriptor(MediaType.OCI_LAYER_GZIP, d, blob.length);
  }

  List<String> snapshotsDir() throws Exception {
    try (Stream<Path> s = Files.list(store.root().resolve("snapshots"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void ensure_gzipLayer_extractsOnceVerifiedAndFindsIt() throws Exception {
    byte[] tar = tar("etc/hostname", "box\n", "bin/tool", "t");
    Digest diffId = Digest.sha256Of(tar);
    Descriptor blob = put(gzip(tar));
    Path rootfs = trees.ensure(blob, diffId);
    assertThat(rootfs).isEqualTo(store.root().resolve("snapshots/sha256/" + diffId.hex() + "/rootfs"));
    assertThat(rootfs.resolve("etc/hostname")).hasContent("box");
    Object inode = Files.getAttribute(rootfs.resolve("etc/hostname"), "unix:ino");
    assertThat(trees.ensure(blob, diffId)).isEqualTo(rootfs);
    assertThat(Files.getAttribute(rootfs.resolve("etc/hostname"), "unix:ino")).isEqualTo(inode);
    assertThat(trees.find(diffId)).contains(rootfs);
    assertThat(trees.list()).containsExactly(diffId);
    assertThat(snapshotsDir()).containsExactly("sha256");
    assertThat(rootfs.getParent().resolve("incomplete")).doesNotExist();
  }

  @Test
  void ensure_recordsTheLayersHeaders_asReadingThemAloneWould() throws Exception {
    byte[] tar = tar("./etc/", "", "etc/hostname", "box\n", "etc/.wh.passwd", "", "var/.wh..wh..opq", "",
        "/var/lib/x", "1");
    Digest diffId = Digest.sha256Of(tar);
    Descriptor blob = put(gzip(tar));
    LayerHeaderCache cache = LayerHeaderCache.open(store.root());
    assertThat(cache.get(blob.digest())).isEmpty();
    trees.ensure(blob, diffId);

    HeaderLog alone = new HeaderLog();
    LayerApplier.readHeaders(new ByteArrayInputStream(tar), Long.MAX_VALUE, alone::add);
    assertThat(cache.get(blob.digest())).hasValueSatisfying(b -> assertThat(b).isEqualTo(alone.bytes()));
    List<String> edits = new ArrayList<>();
    HeaderLog.replay(alone.bytes(), new HeaderLog.Edits() {
      @Override
      public void put(String path, boolean directory, int mode, long uid, long gid, java.time.Instant mtime,
          dev.jbuild.store.tar.LayerEntry.Type type, String linkTarget) {
        edits.add("put " + path + (directory ? "/" : ""));
      }

      @Override
      public void whiteout(String path) {
        edits.add("whiteout " + path);
      }

      @Override
      public void opaque(String dir) {
        edits.add("opaque " + dir);
      }
    });
    assertThat(edits).containsExactly("put etc/", "put etc/hostname", "whiteout etc/passwd", "opaque var",
        "put var/lib/x");
  }

  /** path -> type, mode, owner, mtime, content digest or link target, for comparing two trees. */
  static java.util.Map<String, String> facts(Path root) throws Exception {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (dev.jbuild.store.tar.LayerEntry e : dev.jbuild.store.tar.LayerTarWriter.fromDirectory(root)) {
      out.put(e.path(), e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid() + " "
          + e.mtime() + " " + (e.type() == dev.jbuild.store.tar.LayerEntry.Type.REGULAR
          ? Digest.sha256Of(Files.readAllBytes(e.source())) : e.linkTarget()));
    }
    return out;
  }

  @Test
  void writeLayerWithTree_makesTheTreeAsTheLayerIsWritten_equalToExtractingTheBlob() throws Exception {
    java.time.Instant t = java.time.Instant.parse("2024-05-06T07:08:09Z");
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "alpha\n".repeat(100_000)); // larger than the pipe's buffer
    Files.writeString(src.resolve("b.sh"), "#!/bin/sh\n");
    List<dev.jbuild.store.tar.LayerEntry> entries = List.of(
        dev.jbuild.store.tar.LayerEntry.directory("app", 0755, 0, 0, t),
        dev.jbuild.store.tar.LayerEntry.file("app/a.txt", src.resolve("a.txt"), Files.size(src.resolve("a.txt")),
            0644, 1000, 1000, t),
        dev.jbuild.store.tar.LayerEntry.file("app/b.sh", src.resolve("b.sh"), Files.size(src.resolve("b.sh")), 04755,
            0, 0, t),
        dev.jbuild.store.tar.LayerEntry.symlink("app/link", "a.txt", 0, 0, t));
    // What a writer killed mid-way leaves: a candidate whose lock nobody holds. It is swept.
    Path abandoned = Files.createDirectories(store.root().resolve("snapshots/writing-crashed/rootfs/half"));
    Files.createFile(abandoned.getParent().getParent().resolve("lock"));
    dev.jbuild.store.tar.Layer layer = trees.writeLayerWithTree(entries, null);

    Path made = trees.find(layer.diffId()).orElseThrow(() -> new AssertionError("no tree was made"));
    assertThat(snapshotsDir()).containsExactly("sha256"); // the candidate went into place, nothing left over
    assertThat(LayerHeaderCache.open(store.root()).get(layer.blob().digest())).isPresent();
    try (Store other = Store.open(dir.resolve("other"), Duration.ZERO)) {
      try (java.io.InputStream in = store.blobs().open(layer.diffId())) {
        other.blobs().ingest(in, layer.diffId(), layer.blob().size());
      }
      Path extracted = LayerTrees.of(other).ensure(layer.blob(), layer.diffId());
      assertThat(facts(made)).hasSize(4).isEqualTo(facts(extracted));
    }
    assertThat(dev.jbuild.store.tar.LayerBlobs.writeLayer(store.blobs(), entries, null)).isEqualTo(layer);
  }

  @Test
  void writeLayerWithTree_anEntryTheExtractionRefuses_stillWritesTheLayer_andMakesNoTree() throws Exception {
    java.time.Instant t = java.time.Instant.parse("2024-05-06T07:08:09Z");
    Path big = Files.write(Files.createDirectories(dir.resolve("src")).resolve("big"), new byte[5 << 20]);
    Path one = Files.write(dir.resolve("src/one"), new byte[1]);
    // A file under a symlink that climbs above the root: a tar may hold it, safe extraction refuses to write
    // through it. The 5 MiB file after it is more than the hand-over queue holds, so the writer would block if the
    // failed extraction stopped taking input.
    List<dev.jbuild.store.tar.LayerEntry> entries = List.of(
        dev.jbuild.store.tar.LayerEntry.directory("app", 0755, 0, 0, t),
        dev.jbuild.store.tar.LayerEntry.symlink("app/evil", "../../../../etc", 0, 0, t),
        dev.jbuild.store.tar.LayerEntry.file("app/evil/x", one, 1, 0644, 0, 0, t),
        dev.jbuild.store.tar.LayerEntry.file("app/z.bin", big, 5 << 20, 0644, 0, 0, t));
    dev.jbuild.store.tar.Layer layer = trees.writeLayerWithTree(entries, null);
    assertThat(layer).isEqualTo(dev.jbuild.store.tar.LayerBlobs.writeLayer(store.blobs(), entries, null));
    assertThat(trees.find(layer.diffId())).isEmpty();
    assertThat(snapshotsDir()).isEmpty();
  }

  @Test
  void ensure_wrongDiffId_failsAndLeavesNothing() throws Exception {
    byte[] tar = tar("f", "x");
    Descriptor blob = put(gzip(tar));
    Digest wrong = Digest.sha256Of("other".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> trees.ensure(blob, wrong)).isInstanceOf(StoreException.class)
        .hasMessageContaining("not to its diffID " + wrong);
    assertThat(trees.find(wrong)).isEmpty();
    assertThat(snapshotsDir()).isEmpty();
  }

  @Test
  void ensure_unsafeLayer_failsWithTheEntryAndLeavesNothing() throws Exception {
    byte[] tar = tar("../escape", "x");
    Descriptor blob = put(tar);
    assertThatThrownBy(() -> trees.ensure(blob, Digest.sha256Of(tar))).isInstanceOf(LayerApplyException.class)
        .hasMessageContaining("../escape");
    assertThat(snapshotsDir()).isEmpty();
    assertThat(dir.resolve("escape")).doesNotExist();
  }

  @Test
  void ensure_L33_diffIdCoversBytesAfterTheEndMarker() throws Exception {
    byte[] tar = tar("f", "x");
    ByteArrayOutputStream padded = new ByteArrayOutputStream();
    padded.writeBytes(tar);
    padded.writeBytes("trailing bytes the digest must cover".getBytes(StandardCharsets.UTF_8));
    byte[] whole = padded.toByteArray();
    Descriptor blob = put(gzip(whole));
    assertThatThrownBy(() -> trees.ensure(blob, Digest.sha256Of(tar))).isInstanceOf(StoreException.class);
    assertThat(trees.ensure(blob, Digest.sha256Of(whole)).resolve("f")).hasContent("x");
  }

  @Test
  void ensureAndSweep_K09_leftoversOfACrashAreRemoved() throws Exception {
    byte[] tar = tar("f", "x");
    Digest diffId = Digest.sha256Of(tar);
    Path snapshots = Files.createDirectories(store.root().resolve("snapshots"));
    Path crashed = Files.createDirectories(snapshots.resolve("tmp-" + diffId.hex() + "-crashed/rootfs/usr"));
    Files.createFile(crashed.getParent().getParent().resolve("incomplete"));
    Path other = Files.createDirectories(snapshots.resolve("tmp-" + "ab".repeat(32) + "-crashed/rootfs"));
    trees.ensure(put(tar), diffId);
    assertThat(snapshots.resolve("tmp-" + diffId.hex() + "-crashed")).doesNotExist();
    assertThat(other).exists();
    assertThat(trees.find(Digest.sha256Of("x".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    trees.sweep();
    assertThat(snapshotsDir()).containsExactly("sha256");
    assertThat(trees.find(diffId)).isPresent();
  }

  @Test
  void find_treeStillMarkedIncomplete_isNotFound() throws Exception {
    byte[] tar = tar("f", "x");
    Digest diffId = Digest.sha256Of(tar);
    Path rootfs = trees.ensure(put(tar), diffId);
    Files.createFile(rootfs.getParent().resolve("incomplete"));
    assertThat(trees.find(diffId)).isEmpty();
    assertThat(trees.list()).isEmpty();
  }

  @Test
  void delete_existingTree_removesItAndReportsWhetherItExisted() throws Exception {
    byte[] tar = tar("a/b/c", "x");
    Digest diffId = Digest.sha256Of(tar);
    trees.ensure(put(tar), diffId);
    assertThat(trees.delete(diffId)).isTrue();
    assertThat(trees.delete(diffId)).isFalse();
    assertThat(trees.find(diffId)).isEmpty();
    assertThat(snapshotsDir()).containsExactly("sha256");
  }

  @Test
  void ensure_concurrentCallers_extractOnceAndAgree() throws Exception {
    byte[] tar = tar("f", "x", "g", "y");
    Digest diffId = Digest.sha256Of(tar);
    Descriptor blob = put(gzip(tar));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> trees.ensure(blob, diffId)));
      }
      for (Future<Path> f : results) {
        assertThat(f.get()).isEqualTo(store.root().resolve("snapshots/sha256/" + diffId.hex() + "/rootfs"));
      }
    } finally {
      pool.shutdown();
    }
    assertThat(snapshotsDir()).containsExactly("sha256");
  }

  @Test
  void ensure_whiteoutsInALayer_becomeOverlayWhiteouts() throws Exception {
    byte[] tar = tar("etc/.wh.removed", "", "etc/kept", "k");
    Digest diffId = Digest.sha256Of(tar);
    Path rootfs = trees.ensure(put(tar), diffId);
    Path wh = rootfs.resolve("etc/removed");
    assertThat((int) Files.getAttribute(wh, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000).isEqualTo(0020000);
    assertThat(Files.getAttribute(wh, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
  }
}

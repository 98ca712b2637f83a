package dev.jbuild.store.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.CorruptStoreException;
import dev.jbuild.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreGcTest {
  @TempDir Path dir;
  Store store;
  TestImages t;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir.resolve("store"), Duration.ZERO);
    t = new TestImages(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private StoreGc gc() {
    return new StoreGc(store, Duration.ZERO, new DirectoryBuildCache(store), ImageUsers.NONE);
  }

  private Map<Digest, Long> sizes() throws Exception {
    Map<Digest, Long> sizes = new HashMap<>();
    for (Digest d : store.blobs().list()) {
      sizes.put(d, store.blobs().size(d));
    }
    return sizes;
  }

  static Digest configOf(Store store, Descriptor manifest) throws Exception {
    return OciJson.readManifest(store.blobs().readAll(manifest.digest(), 1 << 20)).config().digest();
  }

  @Test
  void prune_sharedLayer_survivesWhenOneImageIsUntagged() throws Exception {
    TestImages.Layer shared = t.plain("shared");
    TestImages.Layer onlyA = t.plain("a");
    TestImages.Layer onlyB = t.gzip("b");
    Descriptor a = t.image("a:1", shared, onlyA);
    Descriptor b = t.image("b:1", shared, onlyB);
    Map<Digest, Long> before = sizes();
    List<Digest> gone = List.of(b.digest(), configOf(store, b), onlyB.blob().digest());
    store.images().untag("b:1");

    PruneReport r = gc().prune(false);

    assertThat(r.deletedBlobs()).containsExactlyInAnyOrderElementsOf(gone);
    assertThat(r.blobBytes()).isEqualTo(gone.stream().mapToLong(before::get).sum());
    assertThat(store.blobs().list()).containsExactlyInAnyOrder(
        a.digest(), configOf(store, a), shared.blob().digest(), onlyA.blob().digest());
    assertThat(gc().prune(false).deletedBlobs()).isEmpty();
  }

  @Test
  void pruneAll_layerHeaderEntries_goWithTheirBlob_andSurviveTheBuildCache() throws Exception {
    TestImages.Layer kept = t.plain("kept");
    TestImages.Layer dropped = t.gzip("dropped");
    t.image("keep:1", kept);
    t.image("drop:1", dropped);
    dev.jbuild.store.cache.LayerHeaderCache headers = dev.jbuild.store.cache.LayerHeaderCache.open(store.root());
    headers.put(kept.blob().digest(), new byte[] {1, 2, 3});
    headers.put(dropped.blob().digest(), new byte[] {4, 5, 6});
    store.images().untag("drop:1");

    gc().prune(true);

    assertThat(store.blobs().has(dropped.blob().digest())).isFalse();
    assertThat(headers.get(dropped.blob().digest())).isEmpty();
    // Emptying the build cache (--all) does not take the entry of a blob an image still uses.
    assertThat(headers.get(kept.blob().digest())).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
  }

  @Test
  void prune_indexWithMissingChild_keepsThePresentChildAndItsBlobs() throws Exception {
    TestImages.Layer layer = t.plain("host layer");
    Descriptor present = t.image(null, layer);
    Descriptor absent = new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(new byte[] {1}), 1);
    Descriptor index = t.index("multi:1", present, absent);
    TestImages.Layer orphan = t.plain("orphan");

    PruneReport r = gc().prune(false);

    assertThat(r.deletedBlobs()).containsExactly(orphan.blob().digest());
    assertThat(store.blobs().list()).containsExactlyInAnyOrder(
        index.digest(), present.digest(), configOf(store, present), layer.blob().digest());
  }

  @Test
  void prune_compressionRecords_keepCopiesOfReachableLayersOnly() throws Exception {
    TestImages.Layer local = t.plain("local layer");
    t.image("app:1", local);
    TestImages.Layer gzCopy = t.gzip("local layer");
    store.compression().record(local.diffId(), MediaType.Compression.GZIP, gzCopy.blob());
    TestImages.Layer goneLayer = t.plain("removed layer");
    Descriptor gone = t.image("gone:1", goneLayer);
    TestImages.Layer goneCopy = t.gzip("removed layer");
    store.compression().record(goneLayer.diffId(), MediaType.Compression.GZIP, goneCopy.blob());
    Digest goneConfig = configOf(store, gone);
    store.images().untag("gone:1");

    PruneReport r = gc().prune(false);

    assertThat(r.deletedBlobs()).containsExactlyInAnyOrder(
        gone.digest(), goneConfig, goneLayer.blob().digest(), goneCopy.blob().digest());
    assertThat(r.compressionRecords()).isEqualTo(1);
    assertThat(store.compression().lookup(local.diffId(), MediaType.Compression.GZIP)).contains(gzCopy.blob());
    assertThat(dir.resolve("store/compression/sha256").resolve(goneLayer.diffId().hex())).doesNotExist();
  }

  @Test
  void prune_recordWhoseBlobIsGone_isDeletedEvenForALiveLayer() throws Exception {
    TestImages.Layer local = t.plain("local layer");
    t.image("app:1", local);
    TestImages.Layer gzCopy = t.gzip("local layer");
    store.compression().record(local.diffId(), MediaType.Compression.GZIP, gzCopy.blob());
    Files.delete(t.blob(gzCopy.blob()));

    PruneReport r = gc().prune(false);

    assertThat(r.compressionRecords()).isEqualTo(1);
    assertThat(dir.resolve("store/compression/sha256").resolve(local.diffId().hex())).doesNotExist();
  }

  @Test
  void prune_recentUnreferencedBlob_isKeptForTheGracePeriod() throws Exception {
    TestImages.Layer young = t.plain("being built");
    StoreGc withGrace = new StoreGc(store, Duration.ofHours(1), new DirectoryBuildCache(store), ImageUsers.NONE);

    PruneReport kept = withGrace.prune(false);

    assertThat(kept.deletedBlobs()).isEmpty();
    assertThat(kept.keptRecent()).isEqualTo(1);
    assertThat(kept.keptRecentBytes()).isEqualTo(young.blob().size());
    TestImages.age(t.blob(young.blob()), Duration.ofHours(2));
    assertThat(withGrace.prune(false).deletedBlobs()).containsExactly(young.blob().digest());
  }

  @Test
  void prune_reusedOldBlob_restartsItsGracePeriod() throws Exception {
    byte[] config = "{\"old\":true}".getBytes(StandardCharsets.UTF_8);
    Descriptor d = store.blobs().put(MediaType.OCI_CONFIG, config);
    TestImages.age(t.blob(d), Duration.ofHours(2));
    store.blobs().put(MediaType.OCI_CONFIG, config); // a build finds it in place and will reference it

    PruneReport r = new StoreGc(store).prune(false);

    assertThat(r.deletedBlobs()).isEmpty();
    assertThat(store.blobs().has(d.digest())).isTrue();
  }

  @Test
  void prune_untaggedEntry_isARootUnlessAll() throws Exception {
    TestImages.Layer layer = t.plain("dangling");
    Descriptor untagged = t.image(null, layer);
    t.addUntagged(untagged);
    t.image("keep:1", t.plain("kept"));
    Files.createDirectories(dir.resolve("store/cache/keys"));
    Files.writeString(dir.resolve("store/cache/keys/entry"), "12345");

    Digest config = configOf(store, untagged);
    assertThat(gc().prune(false).deletedBlobs()).isEmpty();
    PruneReport all = gc().prune(true);

    assertThat(all.removedEntries()).extracting(Descriptor::digest).containsExactly(untagged.digest());
    assertThat(all.deletedBlobs()).containsExactly(untagged.digest(), config, layer.blob().digest());
    assertThat(all.buildCacheBytes()).isEqualTo(5);
    assertThat(dir.resolve("store/cache")).isEmptyDirectory();
    assertThat(store.images().entries()).hasSize(1).allMatch(TestImages::tagged);
  }

  @Test
  void prune_all_deletesBlobsOnlyUntaggedEntriesKeptWhateverTheirAge() throws Exception {
    TestImages.Layer layer = t.plain("fresh but dangling");
    Descriptor untagged = t.image(null, layer);
    t.addUntagged(untagged);

    PruneReport r = new StoreGc(store).prune(true); // default one-hour grace

    assertThat(r.deletedBlobs()).contains(untagged.digest(), layer.blob().digest());
  }

  @Test
  void prune_snapshots_deletesUnreferencedAndInterruptedOnesWithoutFollowingLinks() throws Exception {
    TestImages.Layer live = t.plain("live");
    t.image("app:1", live);
    TestImages.Layer dead = t.plain("dead");
    Path liveSnap = snapshot(live.diffId());
    Path deadSnap = snapshot(dead.diffId());
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("precious"), "keep me");
    Path deadRootfs = deadSnap.resolve("rootfs");
    Files.createSymbolicLink(deadRootfs.resolve("escape"), outside);
    Path locked = Files.createDirectories(deadRootfs.resolve("usr/lib"));
    Files.writeString(locked.resolve("lib.so"), "0123456789");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    Files.setPosixFilePermissions(locked.getParent(), PosixFilePermissions.fromString("r-xr-xr-x"));
    TestImages.Layer other = t.plain("other live");
    t.image("other:1", other);
    Path interrupted = snapshot(other.diffId());
    Files.writeString(interrupted.resolve("incomplete"), "");

    PruneReport r = gc().prune(false);

    assertThat(r.snapshots()).isEqualTo(2);
    assertThat(r.snapshotBytes()).isEqualTo(10 + 4 + 4); // lib.so and the two "file" entries
    assertThat(deadSnap).doesNotExist();
    assertThat(interrupted).doesNotExist();
    assertThat(liveSnap.resolve("rootfs/file")).hasContent("data");
    assertThat(outside.resolve("precious")).hasContent("keep me");
  }

  private Path snapshot(Digest diffId) throws Exception {
    Path snap = dir.resolve("store/snapshots").resolve(diffId.algorithm()).resolve(diffId.hex());
    Files.createDirectories(snap.resolve("rootfs"));
    Files.writeString(snap.resolve("rootfs/file"), "data");
    return snap;
  }

  @Test
  void prune_liveWriter_keepsItsTempFileAndSweepsAbandonedOnes() throws Exception {
    Path abandoned = dir.resolve("store/tmp/ingest-crashed");
    Files.writeString(abandoned, "half a blob");
    try (BlobWriter w = store.blobs().newWriter()) {
      w.stream().write("in flight".getBytes(StandardCharsets.UTF_8));
      w.stream().flush();

      PruneReport r = gc().prune(false);

      assertThat(r.tempFiles()).isEqualTo(1);
      assertThat(abandoned).doesNotExist();
      assertThat(dir.resolve("store/tmp")).isNotEmptyDirectory();
      Digest d = w.commit(null, -1);
      assertThat(store.blobs().has(d)).isTrue();
    }
  }

  @Test
  void prune_corruptManifestOfATaggedImage_failsAndDeletesNothing() throws Exception {
    Descriptor m = t.image("app:1", t.plain("x"));
    TestImages.Layer orphan = t.plain("orphan");
    Files.writeString(t.blob(m), "{\"schemaVersion\":2,\"not\":\"it\"}");

    assertThatThrownBy(() -> gc().prune(false))
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining(m.digest().toString())
        .hasMessageContaining("jbuild system check --repair");
    assertThat(store.blobs().has(orphan.blob().digest())).isTrue();
  }

  @Test
  void prune_imageInUse_isKeptAfterLosingItsTags() throws Exception {
    TestImages.Layer layer = t.plain("running");
    Descriptor m = t.image("app:1", layer);
    store.images().untag("app:1");
    StoreGc gc = new StoreGc(store, Duration.ZERO, new DirectoryBuildCache(store), () -> Set.of(m.digest()));

    assertThat(gc.prune(true).deletedBlobs()).isEmpty();
    assertThat(store.blobs().has(layer.blob().digest())).isTrue();
  }
}

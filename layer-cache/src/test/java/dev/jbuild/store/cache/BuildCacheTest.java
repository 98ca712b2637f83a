package dev.jbuild.store.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildCacheTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  @TempDir Path dir;
  private Store store;
  private BuildCache cache;
  private Digest base;

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir.resolve("store"), Duration.ZERO);
    cache = BuildCache.open(store);
    base = store.blobs().put(MediaType.OCI_MANIFEST, bytes("{\"base\":1}")).digest();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static SortedMap<String, String> map(String... kv) {
    SortedMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private CacheKey runStep(String instruction, String version) {
    return CacheKey.builder()
        .field(CacheKey.PARENT, base)
        .field(CacheKey.INSTRUCTION, instruction)
        .fields(CacheKey.ARGS, map("VERSION", version, "DEBUG", "0"))
        .field(CacheKey.PLATFORM, "linux/amd64")
        .build();
  }

  /** An entry whose layer is a real blob in the store. */
  private CacheEntry withLayer(CacheKey key, String layerContent, Instant created) throws Exception {
    Descriptor layer = store.blobs().put(MediaType.OCI_LAYER, bytes(layerContent));
    return CacheEntry.of(key, layer.digest(), layer, bytes("{ \"config\" : \"" + layerContent + "\" }\n"), created);
  }

  private Path entryFile(CacheKey key) {
    return store.root().resolve("cache/keys/" + key.key().hex() + ".json");
  }

  /** Puts {@code entry} as recorded at {@code recorded}: its marker's time, by which siblings are ordered. */
  private void putRecordedAt(CacheEntry entry, Instant recorded) throws Exception {
    cache.put(entry.key() == null ? null : keyOf(entry), entry);
    Files.setLastModifiedTime(marker(keyOf(entry)), java.nio.file.attribute.FileTime.from(recorded));
  }

  private CacheKey keyOf(CacheEntry entry) {
    return new CacheKey(entry.key(), entry.fields());
  }

  private Path marker(CacheKey key) {
    return store.root().resolve("cache/parents/" + base.hex() + "/" + key.key().hex());
  }

  @Test
  void put_thenLookup_returnsTheSameEntryWithExactConfigBytes() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    CacheEntry entry = withLayer(key, "layer-1", T0);

    assertThat(cache.put(key, entry)).isTrue();

    Optional<CacheEntry> hit = cache.lookup(key);
    assertThat(hit).contains(entry);
    assertThat(hit.get().configJson()).isEqualTo(bytes("{ \"config\" : \"layer-1\" }\n"));
    assertThat(hit.get().fields()).isEqualTo(key.fields());
    assertThat(entryFile(key)).isRegularFile();
    // Another instance (another build) reads the same.
    assertThat(BuildCache.open(store.root()).lookup(key)).contains(entry);
  }

  @Test
  void put_configOnlyStep_roundTripsWithoutLayer() throws Exception {
    CacheKey key = runStep("ENV A=1", "1");
    CacheEntry entry = CacheEntry.of(key, null, null, bytes("{}"), T0);

    cache.put(key, entry);

    assertThat(cache.lookup(key)).contains(entry);
    assertThat(cache.lookup(runStep("ENV A=2", "1"))).isEmpty();
  }

  @Test
  void lookup_layerBlobDeleted_misses() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    CacheEntry entry = withLayer(key, "layer-1", T0);
    cache.put(key, entry);
    assertThat(cache.lookup(key)).isPresent();

    store.blobs().delete(entry.layer().digest());

    assertThat(cache.lookup(key)).isEmpty();
    assertThat(cache.explainMiss(key).orElseThrow().summary())
        .isEqualTo("this step was cached, but its layer " + entry.layer().digest() + " is no longer in the store");
  }

  @Test
  void put_existingEntryWhoseLayerWasPruned_replacedByTheNewResult() throws Exception {
    CacheKey key = runStep("RUN date > /t", "1");
    CacheEntry first = withLayer(key, "monday", T0);
    cache.put(key, first);
    store.blobs().delete(first.layer().digest());

    CacheEntry second = withLayer(key, "tuesday", T0.plusSeconds(60));
    assertThat(cache.put(key, second)).isTrue();

    assertThat(cache.lookup(key)).contains(second);
  }

  @Test
  void put_keyAlreadyCached_existingEntryWins() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    CacheEntry first = withLayer(key, "first", T0);
    CacheEntry second = withLayer(key, "second", T0.plusSeconds(1));

    assertThat(cache.put(key, first)).isTrue();
    assertThat(cache.put(key, second)).isFalse();

    assertThat(cache.lookup(key)).contains(first);
  }

  @Test
  void replace_keyAlreadyCached_newEntryWins() throws Exception {
    CacheKey key = runStep("RUN apt-get update", "1");
    CacheEntry first = withLayer(key, "stale", T0);
    CacheEntry second = withLayer(key, "fresh", T0.plusSeconds(1));
    cache.put(key, first);

    cache.replace(key, second);

    assertThat(cache.lookup(key)).contains(second);
    assertThatThrownBy(() -> cache.replace(key, CacheEntry.of(runStep("RUN make", "2"), null, null, bytes("{}"), T0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void put_entryOfAnotherKey_rejected() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    CacheEntry other = CacheEntry.of(runStep("RUN make", "2"), null, null, bytes("{}"), T0);

    assertThatThrownBy(() -> cache.put(key, other)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key.key().toString());
    assertThat(cache.size()).isZero();
  }

  @Test
  void lookup_damagedEntryFiles_missAndRemoved() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    CacheEntry entry = withLayer(key, "layer-1", T0);
    cache.put(key, entry);
    byte[] good = Files.readAllBytes(entryFile(key));
    String text = new String(good, StandardCharsets.UTF_8);
    CacheKey other = runStep("RUN make", "2");
    String otherKeysFile = new String(EntryCodec.write(CacheEntry.of(other, null, null, bytes("{}"), T0)),
        StandardCharsets.UTF_8);

    List<byte[]> damaged = List.of(
        new byte[0],
        java.util.Arrays.copyOf(good, good.length / 2),                          // truncated
        bytes("not json at all"),
        bytes(text.replace("\"configDigest\":\"sha256:", "\"configDigest\":\"sha256:0").replaceFirst(
            "(\"configDigest\":\"sha256:[0-9a-f]{64})[0-9a-f]", "$1")),          // config no longer matches
        bytes(text.replace("\"version\":1", "\"version\":\"x\"")),
        bytes(text.replace("\"created\":\"", "\"created\":\"yesterday")),
        bytes(otherKeysFile));                                                  // another key's entry
    for (byte[] content : damaged) {
      Files.write(entryFile(key), content);
      assertThat(cache.lookup(key)).as(new String(content, StandardCharsets.UTF_8)).isEmpty();
      assertThat(entryFile(key)).as("removed").doesNotExist();
    }

    // A symlink planted in place of an entry is never followed.
    Path elsewhere = Files.write(dir.resolve("elsewhere.json"), good);
    Files.createSymbolicLink(entryFile(key), elsewhere);
    assertThat(cache.lookup(key)).isEmpty();
    assertThat(elsewhere).exists();

    // The next build stores its result again.
    assertThat(cache.put(key, entry)).isTrue();
    assertThat(cache.lookup(key)).contains(entry);
  }

  @Test
  void put_overDamagedEntry_replacesIt() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    Files.createDirectories(entryFile(key).getParent());
    Files.write(entryFile(key), bytes("{\"version\":1,"));

    CacheEntry entry = withLayer(key, "layer-1", T0);
    assertThat(cache.put(key, entry)).isTrue();

    assertThat(cache.lookup(key)).contains(entry);
  }

  @Test
  void lookup_entryOfANewerFormat_missButKept() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    Files.createDirectories(entryFile(key).getParent());
    Files.write(entryFile(key), bytes("{\"version\":2,\"key\":\"" + key.key() + "\"}"));

    assertThat(cache.lookup(key)).isEmpty();
    assertThat(cache.put(key, CacheEntry.of(key, null, null, bytes("{}"), T0))).isFalse();
    assertThat(entryFile(key)).content().contains("\"version\":2");
  }

  @Test
  void put_eightThreadsSameAndDifferentKeys_oneIntactEntryPerKey() throws Exception {
    int threads = 8;
    int keys = 20;
    List<CacheKey> all = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      all.add(runStep("RUN step " + k, "1"));
    }
    // Each thread writes every shared key with its own content, and one key only it writes.
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      done.add(pool.submit(() -> {
        start.await();
        BuildCache own = BuildCache.open(store);
        for (CacheKey key : all) {
          own.put(key, CacheEntry.of(key, null, null, bytes("{\"writer\":" + id + "}"), T0.plusSeconds(id)));
          assertThat(own.lookup(key)).isPresent();
        }
        CacheKey mine = runStep("RUN mine", Integer.toString(id));
        own.put(mine, CacheEntry.of(mine, null, null, bytes("{\"writer\":" + id + "}"), T0));
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();

    assertThat(cache.size()).isEqualTo(keys + threads);
    for (CacheKey key : all) {
      CacheEntry e = cache.lookup(key).orElseThrow();
      String config = new String(e.configJson(), StandardCharsets.UTF_8);
      assertThat(config).matches("\\{\"writer\":[0-7]\\}");
      // The winner's entry is consistent within itself.
      assertThat(e.created()).isEqualTo(T0.plusSeconds(Integer.parseInt(config.replaceAll("\\D", ""))));
    }
    for (int t = 0; t < threads; t++) {
      assertThat(cache.lookup(runStep("RUN mine", Integer.toString(t)))).isPresent();
    }
    try (Stream<Path> tmp = Files.list(cache.directory().resolve("tmp"))) {
      assertThat(tmp.toList()).isEmpty();
    }
  }

  @Test
  void explainMiss_onlyAnArgChanged_reportsExactlyThatField() throws Exception {
    CacheKey before = runStep("RUN make", "1");
    cache.put(before, withLayer(before, "v1", T0));

    Explanation e = cache.explainMiss(runStep("RUN make", "2")).orElseThrow();

    assertThat(e.changes()).containsExactly(new Explanation.FieldChange("args", "VERSION=1", "VERSION=2"));
    assertThat(e.summary()).isEqualTo("args changed: VERSION=1 -> VERSION=2");
    assertThat(e.nearestKey()).isEqualTo(before.key());
    assertThat(e.nearestCreated()).isEqualTo(T0);
  }

  @Test
  void explainMiss_severalEarlierBuilds_comparesWithTheNearestThenTheMostRecent() throws Exception {
    CacheKey far = runStep("RUN make all", "1");          // instruction and args differ
    CacheKey nearOld = runStep("RUN make", "3");          // only args differ
    CacheKey nearNew = runStep("RUN make", "4");          // only args differ, recorded later
    putRecordedAt(withLayer(far, "far", T0), T0.plusSeconds(100));
    putRecordedAt(withLayer(nearOld, "old", T0), T0);
    putRecordedAt(withLayer(nearNew, "new", T0), T0.plusSeconds(10));
    // An unrelated step after another parent is never a candidate.
    CacheKey elsewhere = CacheKey.builder().field(CacheKey.PARENT, Digest.sha256Of(bytes("other")))
        .field(CacheKey.INSTRUCTION, "RUN make").fields(CacheKey.ARGS, map("VERSION", "2", "DEBUG", "0"))
        .field(CacheKey.PLATFORM, "linux/amd64").build();
    cache.put(elsewhere, CacheEntry.of(elsewhere, null, null, bytes("{}"), T0.plusSeconds(500)));

    Explanation e = cache.explainMiss(runStep("RUN make", "2")).orElseThrow();

    assertThat(e.nearestKey()).isEqualTo(nearNew.key());
    assertThat(e.summary()).isEqualTo("args changed: VERSION=4 -> VERSION=2");
  }

  @Test
  void explainMiss_severalFieldsDiffer_aMoreRecentButFartherEntryLosesToAnOlderNearerOne() throws Exception {
    CacheKey twoOff = CacheKey.builder().field(CacheKey.PARENT, base).field(CacheKey.INSTRUCTION, "RUN make")
        .fields(CacheKey.ARGS, map("VERSION", "9", "DEBUG", "1")).field(CacheKey.PLATFORM, "linux/arm64").build();
    CacheKey oneOff = runStep("RUN make", "3");
    putRecordedAt(withLayer(oneOff, "one", T0), T0);
    putRecordedAt(withLayer(twoOff, "two", T0), T0.plusSeconds(60));

    Explanation e = cache.explainMiss(runStep("RUN make", "2")).orElseThrow();

    assertThat(e.nearestKey()).isEqualTo(oneOff.key());
  }

  @Test
  void explainMiss_theMostRecentEntryDiffersInOneField_olderEntriesAreNotRead() throws Exception {
    // A damaged entry is dropped, marker and all, when it is read: its marker surviving shows it was not.
    CacheKey older = runStep("RUN make", "3");
    CacheKey recent = runStep("RUN make", "4");
    putRecordedAt(CacheEntry.of(older, null, null, bytes("{}"), T0), T0);
    putRecordedAt(withLayer(recent, "recent", T0), T0.plusSeconds(10));
    Files.write(entryFile(older), bytes("{"));

    Explanation e = cache.explainMiss(runStep("RUN make", "2")).orElseThrow();

    assertThat(e.nearestKey()).isEqualTo(recent.key());
    assertThat(marker(older)).exists();
    assertThat(entryFile(older)).exists();
  }

  @Test
  void explainMiss_onlyTheMostRecentEntriesAreCandidates() throws Exception {
    CacheKey oldest = runStep("RUN make", "3"); // the only near one, but older than the candidates compared
    putRecordedAt(withLayer(oldest, "oldest", T0), T0);
    for (int i = 0; i < BuildCache.MAX_EXPLAIN_CANDIDATES; i++) {
      CacheKey far = runStep("RUN make all " + i, "1");
      putRecordedAt(withLayer(far, "far" + i, T0), T0.plusSeconds(10 + i));
    }

    Explanation e = cache.explainMiss(runStep("RUN make", "2")).orElseThrow();

    assertThat(e.nearestKey()).isNotEqualTo(oldest.key());
    assertThat(e.changes()).extracting(Explanation.FieldChange::name).containsExactly("instruction", "args");
  }

  @Test
  void explainMiss_fieldsAddedAndRemoved_reported() throws Exception {
    CacheKey before = CacheKey.builder().field(CacheKey.PARENT, base).field(CacheKey.INSTRUCTION, "COPY . /")
        .fields(CacheKey.ENV, map("A", "1", "B", "2")).field(CacheKey.SOURCES, base).build();
    cache.put(before, CacheEntry.of(before, null, null, bytes("{}"), T0));
    CacheKey now = CacheKey.builder().field(CacheKey.PARENT, base).field(CacheKey.INSTRUCTION, "COPY . /")
        .fields(CacheKey.ENV, map("A", "1", "C", "3")).field(CacheKey.PLATFORM, "linux/arm64").build();

    Explanation e = cache.explainMiss(now).orElseThrow();

    assertThat(e.changes()).containsExactly(
        new Explanation.FieldChange("env", "B=2 C (unset)", "B (unset) C=3"),
        new Explanation.FieldChange("platform", null, "linux/arm64"),
        new Explanation.FieldChange("sources", base.toString(), null));
    assertThat(e.summary()).isEqualTo("env changed: B=2 C (unset) -> B (unset) C=3; platform added: linux/arm64; "
        + "sources removed (was " + base + ")");
  }

  @Test
  void explainMiss_noEarlierBuildAfterTheSameParent_saysSo() throws Exception {
    Explanation e = cache.explainMiss(runStep("RUN make", "1")).orElseThrow();

    assertThat(e.summary()).isEqualTo("no earlier build of this step after the same parent");
    assertThat(e.nearestKey()).isNull();
    assertThat(e.changes()).isEmpty();
  }

  @Test
  void explainMiss_keyIsAHit_empty() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    cache.put(key, withLayer(key, "l", T0));

    assertThat(cache.explainMiss(key)).isEmpty();
  }

  @Test
  void explainMiss_earlierEntryEvictedOrDamaged_notACandidate() throws Exception {
    CacheKey evicted = runStep("RUN make", "1");
    CacheKey damaged = runStep("RUN make", "3");
    cache.put(evicted, CacheEntry.of(evicted, null, null, bytes("{}"), T0));
    cache.put(damaged, CacheEntry.of(damaged, null, null, bytes("{}"), T0));
    assertThat(cache.evict(e -> e.key().equals(evicted.key()))).isEqualTo(1);
    Files.write(entryFile(damaged), bytes("{"));

    Explanation e = cache.explainMiss(runStep("RUN make", "2")).orElseThrow();

    assertThat(e.summary()).isEqualTo("no earlier build of this step after the same parent");
    try (Stream<Path> markers = Files.list(store.root().resolve("cache/parents/" + base.hex()))) {
      assertThat(markers.toList()).isEmpty();
    }
  }

  @Test
  void sizeDiskUsageEvictClear_reflectTheEntries() throws Exception {
    assertThat(cache.size()).isZero();
    for (int i = 0; i < 5; i++) {
      CacheKey key = runStep("RUN step", Integer.toString(i));
      cache.put(key, CacheEntry.of(key, null, null, bytes("{\"i\":" + i + "}"), T0.plusSeconds(i)));
    }
    assertThat(cache.size()).isEqualTo(5);
    long entryBytes = 0;
    try (Stream<Path> files = Files.list(store.root().resolve("cache/keys"))) {
      for (Path f : files.toList()) {
        entryBytes += Files.size(f);
      }
    }
    assertThat(cache.diskUsage()).isEqualTo(entryBytes);

    assertThat(cache.evict(e -> e.created().isBefore(T0.plusSeconds(2)))).isEqualTo(2);
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.lookup(runStep("RUN step", "0"))).isEmpty();
    assertThat(cache.lookup(runStep("RUN step", "4"))).isPresent();

    cache.clear();
    assertThat(cache.size()).isZero();
    assertThat(cache.diskUsage()).isZero();
    assertThat(cache.lookup(runStep("RUN step", "4"))).isEmpty();
  }

  @Test
  void put_cacheDirectoryDeletedByPrune_recreatesIt() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    cache.put(key, CacheEntry.of(key, null, null, bytes("{}"), T0));
    CacheFiles.deleteContents(store.root().resolve(BuildCache.DIRECTORY));
    Files.delete(store.root().resolve(BuildCache.DIRECTORY));

    assertThat(cache.lookup(key)).isEmpty();
    assertThat(cache.size()).isZero();
    assertThat(cache.put(key, CacheEntry.of(key, null, null, bytes("{}"), T0))).isTrue();
    assertThat(cache.lookup(key)).isPresent();
  }

  @Test
  void open_storeRootWithoutStore_checksBlobsByPath() throws Exception {
    CacheKey key = runStep("RUN make", "1");
    CacheEntry entry = withLayer(key, "layer-1", T0);
    BuildCache byPath = BuildCache.open(store.root());
    byPath.put(key, entry);
    assertThat(byPath.lookup(key)).contains(entry);

    Files.delete(store.root().resolve("blobs/sha256/" + entry.layer().digest().hex()));

    assertThat(byPath.lookup(key)).isEmpty();
  }
}

package dev.jbuild.store.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three build processes and this JVM write one cache at once: same keys and their own keys. */
class BuildCacheMultiProcessIT {
  private static final Pattern WRITER =
      Pattern.compile("\\{\"writer\":\"([a-z0-9]+)\",\"key\":\"(sha256:[0-9a-f]+)\"}");

  @TempDir Path dir;

  private static Process start(Path log, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Failsafe may put a manifest-only jar on java.class.path; this property then holds the real classpath.
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", cp,
        CacheChild.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  @Test
  void put_threeProcessesAndThisOne_oneIntactConsistentEntryPerKey() throws Exception {
    Path root = dir.resolve("store");
    Store.open(root).close();
    int n = 30;
    List<String> writers = List.of("p1", "p2", "p3", "self");
    List<Process> children = new ArrayList<>();
    for (String w : writers.subList(0, 3)) {
      children.add(start(dir.resolve(w + ".log"), root.toString(), w, Integer.toString(n)));
    }
    CacheChild.run(root, "self", n);
    for (int i = 0; i < children.size(); i++) {
      Process p = children.get(i);
      String log = dir.resolve(writers.get(i) + ".log").toString();
      assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(log).isTrue();
      assertThat(p.exitValue()).as(Files.readString(Path.of(log))).isZero();
    }

    try (Store store = Store.open(root)) {
      BuildCache cache = BuildCache.open(store);
      assertThat(cache.size()).isEqualTo(n + writers.size() * n);
      List<CacheKey> keys = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        keys.add(CacheChild.sharedKey(i));
        for (String w : writers) {
          keys.add(CacheChild.ownKey(w, i));
        }
      }
      for (CacheKey key : keys) {
        CacheEntry e = cache.lookup(key).orElseThrow(() -> new AssertionError("no entry for " + key));
        // Every part of the entry comes from one and the same writer: no torn or mixed entries.
        Matcher m = WRITER.matcher(new String(e.configJson(), StandardCharsets.UTF_8));
        assertThat(m.matches()).isTrue();
        String writer = m.group(1);
        assertThat(writers).contains(writer);
        assertThat(m.group(2)).isEqualTo(key.key().toString());
        assertThat(e.layer().digest()).isEqualTo(
            Digest.sha256Of(CacheChild.layerContent(writer, key).getBytes(StandardCharsets.UTF_8)));
        assertThat(e.fields()).isEqualTo(key.fields());
      }
      // Each key built after the shared parent has exactly one marker.
      try (Stream<Path> markers = Files.list(root.resolve("cache/parents/" + CacheChild.PARENT.hex()))) {
        assertThat(markers.count()).isEqualTo(keys.size());
      }
      try (Stream<Path> tmp = Files.list(root.resolve("cache/tmp"))) {
        assertThat(tmp.toList()).isEmpty();
      }
      // The markers all the writers made are listed: an explanation among them finds the build one field away that
      // was recorded last (a miss is compared with the most recent builds after its parent, not all 120).
      CacheKey last = CacheChild.ownKey("p5", 0);
      Descriptor layer = store.blobs().put(MediaType.OCI_LAYER, "last".getBytes(StandardCharsets.UTF_8));
      cache.put(last, CacheEntry.of(last, layer.digest(), layer, "{}".getBytes(StandardCharsets.UTF_8),
          java.time.Instant.now()));
      Explanation x = cache.explainMiss(CacheChild.ownKey("p4", 0)).orElseThrow();
      assertThat(x.nearestKey()).isEqualTo(last.key());
      assertThat(x.changes()).hasSize(1);
      assertThat(x.changes().get(0).name()).isEqualTo("args");
    }
  }
}

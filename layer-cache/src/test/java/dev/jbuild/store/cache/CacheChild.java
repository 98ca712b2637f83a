package dev.jbuild.store.cache;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.TreeMap;

/** A build process of the multi-process cache test; also run inside the test's own JVM. Not a test itself. */
public final class CacheChild {
  static final Digest PARENT = Digest.sha256Of("shared parent".getBytes(StandardCharsets.UTF_8));

  private CacheChild() {}

  public static void main(String[] args) throws Exception {
    run(Path.of(args[0]), args[1], Integer.parseInt(args[2]));
    System.out.println("DONE");
  }

  static CacheKey sharedKey(int i) {
    return CacheKey.builder().field(CacheKey.PARENT, PARENT).field(CacheKey.INSTRUCTION, "RUN step " + i)
        .fields(CacheKey.ARGS, new TreeMap<>()).build();
  }

  static CacheKey ownKey(String writer, int i) {
    return CacheKey.builder().field(CacheKey.PARENT, PARENT).field(CacheKey.INSTRUCTION, "RUN step " + i)
        .fields(CacheKey.ARGS, new TreeMap<>(java.util.Map.of("WRITER", writer))).build();
  }

  static String layerContent(String writer, CacheKey key) {
    return "layer of " + key.key() + " by " + writer;
  }

  static String config(String writer, CacheKey key) {
    return "{\"writer\":\"" + writer + "\",\"key\":\"" + key.key() + "\"}";
  }

  /** Writes {@code n} keys every writer shares and {@code n} of its own, checking each is readable at once. */
  static void run(Path root, String writer, int n) throws Exception {
    try (Store store = Store.open(root)) {
      BuildCache cache = BuildCache.open(store);
      for (int i = 0; i < n; i++) {
        for (CacheKey key : new CacheKey[] {sharedKey(i), ownKey(writer, i)}) {
          Descriptor layer = store.blobs().put(MediaType.OCI_LAYER,
              layerContent(writer, key).getBytes(StandardCharsets.UTF_8));
          cache.put(key, CacheEntry.of(key, layer.digest(), layer,
              config(writer, key).getBytes(StandardCharsets.UTF_8), Instant.now()));
          if (cache.lookup(key).isEmpty()) {
            throw new AssertionError(writer + ": no hit right after put of " + key.key());
          }
          cache.explainMiss(sharedKey(n + i)); // readers of markers run alongside the writers
        }
      }
    }
  }
}
